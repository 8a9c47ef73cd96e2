package rest

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// ErrorContractVersion is the version member of the error bodies this package builds.
const ErrorContractVersion = "1.0.0"

// ErrorBody is B2C's RESTful error contract, the JSON a REST API answers a business error with:
// version, status and userMessage are required; code, requestId, developerMessage and moreInfo
// are shown to the user only with the profile's DebugMode.
type ErrorBody struct {
	Version          string `json:"version"`
	Status           int    `json:"status"`
	Code             string `json:"code,omitempty"`
	RequestID        string `json:"requestId,omitempty"`
	UserMessage      string `json:"userMessage"`
	DeveloperMessage string `json:"developerMessage,omitempty"`
	MoreInfo         string `json:"moreInfo,omitempty"`
}

// Response returns a Response carrying e as its JSON body with HTTP status httpStatus, which
// may differ from e.Status.
func (e ErrorBody) Response(httpStatus int) Response {
	b, _ := json.Marshal(e) // strings and ints always marshal
	return Response{Status: httpStatus, ContentType: "application/json; charset=utf-8", Body: string(b)}
}

// ErrorContract builds a business-error response for HTTP status (a 4xx: B2C takes any 4xx with
// this body as the contract) showing userMessage. The body's status member is 409 whatever the
// HTTP status, as B2C requires. The body has a fresh requestId. code, when given, is the error
// code, with moreInfo https://example.com/errors/<code>; a second value is the
// developerMessage, which otherwise repeats userMessage. Further values are ignored.
func ErrorContract(status int, userMessage string, code ...string) Response {
	e := ErrorBody{
		Version:     ErrorContractVersion,
		Status:      http.StatusConflict,
		RequestID:   uuid.NewString(),
		UserMessage: userMessage,
	}
	if len(code) > 0 && code[0] != "" {
		e.Code = code[0]
		e.MoreInfo = "https://example.com/errors/" + code[0]
		e.DeveloperMessage = userMessage
		if len(code) > 1 && code[1] != "" {
			e.DeveloperMessage = code[1]
		}
	}
	return e.Response(status)
}

// Messages and codes of the ready-made behaviours.
const (
	EmailExistsMessage          = "The email address is already registered."
	EmailExistsDeveloperMessage = "The provided email address is already registered."
	EmailExistsCode             = "API12345"
	EmailMissingMessage         = "An email address is required."
	EmailMissingCode            = "API12340"
)

// ContactsDefaultName, ContactsDefaultEmail and ContactsLoyaltyNumber fill the contacts
// behaviour's answer when the request gives no name or email: the values of B2C's example.
const (
	ContactsDefaultName   = "Emily Smith"
	ContactsDefaultEmail  = "email@domain.com"
	ContactsLoyaltyNumber = 1234
)

// behave answers a call with rt's ready-made behaviour.
func behave(rt Route, c Call) Response {
	email, hasEmail := inputClaim(c, "email")
	switch rt.Behaviour {
	case BehaviourEmailExists:
		if !hasEmail {
			return ErrorContract(http.StatusBadRequest, EmailMissingMessage, EmailMissingCode, "The request carries no email claim in its JSON body, form, query, path or headers.")
		}
		if known(rt.Known, email) {
			return ErrorContract(http.StatusConflict, EmailExistsMessage, EmailExistsCode, EmailExistsDeveloperMessage)
		}
		return Response{JSON: map[string]string{"email": email}}
	case BehaviourLoyaltyNumber:
		if !hasEmail {
			return ErrorContract(http.StatusBadRequest, EmailMissingMessage, EmailMissingCode, "The request carries no email claim in its JSON body, form, query, path or headers.")
		}
		return Response{JSON: loyaltyBody{Email: email, LoyaltyNumber: LoyaltyNumber(email), LoyaltyNumberIsNew: !known(rt.Known, email)}}
	case BehaviourContacts:
		if !hasEmail {
			email = ContactsDefaultEmail
		}
		name, ok := inputClaim(c, "name", "displayName")
		if !ok {
			name = ContactsDefaultName
		}
		return Response{JSON: contactsBody{Contacts: []contact{{
			ID: "MAINCONTACT_1",
			Person: person{
				Name:          name,
				LoyaltyNumber: ContactsLoyaltyNumber,
				Emails:        []contactEmail{{ID: "EMAIL_1", Type: "WORK", Email: email}},
			},
		}}}}
	case BehaviourCustomClaims:
		if rt.CustomClaims == nil {
			return CustomClaims{}.Response()
		}
		return rt.CustomClaims.Response()
	}
	return Response{Body: "{}"} // unreachable for a validated route
}

type loyaltyBody struct {
	Email              string `json:"email"`
	LoyaltyNumber      string `json:"loyaltyNumber"`
	LoyaltyNumberIsNew bool   `json:"loyaltyNumberIsNew"`
}

type contactsBody struct {
	Contacts []contact `json:"contacts"`
}

type contact struct {
	ID     string `json:"id"`
	Person person `json:"person"`
}

type person struct {
	Name          string         `json:"name"`
	LoyaltyNumber int            `json:"loyaltyNumber"`
	Emails        []contactEmail `json:"emails"`
}

type contactEmail struct {
	ID    string `json:"id"`
	Type  string `json:"type"`
	Email string `json:"email"`
}

// LoyaltyNumber is the number the loyalty-number behaviour gives an email address: eight
// digits derived from the address, trimmed and in lower case, the same on every call.
func LoyaltyNumber(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return strconv.FormatUint(10_000_000+binary.BigEndian.Uint64(sum[:8])%90_000_000, 10)
}

// known reports whether email is in list, without regard to case or surrounding spaces.
func known(list []string, email string) bool {
	email = strings.TrimSpace(email)
	for _, k := range list {
		if strings.EqualFold(strings.TrimSpace(k), email) {
			return true
		}
	}
	return false
}

// inputClaim returns the first non-empty value of the first of names that c carries: in its
// JSON body (strings, numbers and booleans), form, query, path variables or headers.
func inputClaim(c Call, names ...string) (string, bool) {
	for _, name := range names {
		if v, ok := c.JSON[name]; ok {
			switch v := v.(type) {
			case string:
				if v != "" {
					return v, true
				}
			case json.Number:
				return v.String(), true
			case bool:
				return strconv.FormatBool(v), true
			}
		}
		for _, v := range []string{c.Form.Get(name), c.Query.Get(name), c.PathVars[name], c.Header.Get(name)} {
			if v != "" {
				return v, true
			}
		}
	}
	return "", false
}
