package claims

import (
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Context is what claim resolvers ({Family:Name}, spec §5.7) read: the journey,
// the policy and the relying party's request.
type Context struct {
	PolicyID       string
	TenantID       string
	TenantObjectID string
	DeploymentMode string
	CorrelationID  string
	HostName       string
	IPAddress      string
	BuildNumber    string
	KMSI           bool
	// Culture is the RFC 5646 tag of the journey (ui_locales), default en-US.
	Culture string
	Now     func() time.Time
	// Request is the relying party's authorization request (query and form).
	Request url.Values
	Claims  *Bag
}

// ResolverError names a claim resolver the emulator does not support
// (AADB2C90044); errors.Is(err, ErrUnsupportedResolver) holds.
type ResolverError struct {
	Family string
	Name   string
}

func (e *ResolverError) Error() string {
	return "{" + e.Family + ":" + e.Name + "}: " + ErrUnsupportedResolver.Error()
}

// Unwrap returns ErrUnsupportedResolver.
func (e *ResolverError) Unwrap() error { return ErrUnsupportedResolver }

var resolverRE = regexp.MustCompile(`\{([A-Za-z0-9_-]+):([^{}]*)\}`)

// lcids maps RFC 5646 tags to Windows LCIDs for {Culture:LCID}.
var lcids = map[string]string{
	"en-us": "1033", "en-gb": "2057", "en-au": "3081", "en-ca": "4105", "fr-fr": "1036", "fr-ca": "3084",
	"de-de": "1031", "es-es": "3082", "es-mx": "2058", "it-it": "1040", "ja-jp": "1041", "ko-kr": "1042",
	"nl-nl": "1043", "pt-br": "1046", "pt-pt": "2070", "ru-ru": "1049", "sv-se": "1053", "zh-cn": "2052",
	"zh-tw": "1028", "pl-pl": "1045", "da-dk": "1030", "fi-fi": "1035", "nb-no": "1044", "tr-tr": "1055",
}

// oidcParams maps {OIDC:Name} to the authorization request parameter it reads.
var oidcParams = map[string]string{
	"AuthenticationContextReferences": "acr_values",
	"ClientId":                        "client_id",
	"DomainHint":                      "domain_hint",
	"LoginHint":                       "login_hint",
	"MaxAge":                          "max_age",
	"Nonce":                           "nonce",
	"Password":                        "password",
	"Prompt":                          "prompt",
	"RedirectUri":                     "redirect_uri",
	"Resource":                        "resource",
	"Scope":                           "scope",
	"Username":                        "username",
}

func (c *Context) culture() string {
	if c.Culture != "" {
		return c.Culture
	}
	if l := strings.Fields(c.Request.Get("ui_locales")); len(l) > 0 {
		return l[0]
	}
	return "en-US"
}

// Lookup resolves one claim resolver. ok is false for a family this package does
// not know (the text is then left as written); err is ErrUnsupportedResolver for
// a known family with an unknown name.
func (c *Context) Lookup(family, name string) (value string, ok bool, err error) {
	switch family {
	case "Culture":
		tag := c.culture()
		lang, region, _ := strings.Cut(tag, "-")
		switch name {
		case "LanguageName":
			return strings.ToLower(lang), true, nil
		case "RegionName":
			return strings.ToUpper(region), true, nil
		case "RFC5646":
			return tag, true, nil
		case "LCID":
			return lcids[strings.ToLower(tag)], true, nil
		}
	case "Policy":
		switch name {
		case "PolicyId":
			return c.PolicyID, true, nil
		case "RelyingPartyTenantId", "TrustFrameworkTenantId":
			return c.TenantID, true, nil
		case "TenantObjectId":
			return c.TenantObjectID, true, nil
		}
	case "Context":
		switch name {
		case "CorrelationId":
			return c.CorrelationID, true, nil
		case "DateTimeInUtc":
			return c.now().UTC().Format("1/2/2006 3:04:05 PM"), true, nil
		case "DeploymentMode":
			return c.DeploymentMode, true, nil
		case "HostName":
			return c.HostName, true, nil
		case "IPAddress":
			return c.IPAddress, true, nil
		case "BuildNumber":
			return c.BuildNumber, true, nil
		case "KMSI":
			if c.KMSI {
				return "true", true, nil
			}
			return "false", true, nil
		}
	case "OIDC":
		if p, known := oidcParams[name]; known {
			return c.Request.Get(p), true, nil
		}
	case "OAUTH-KV":
		return c.Request.Get(name), true, nil
	case "Claim":
		if c.Claims == nil {
			return "", true, nil
		}
		v, _ := c.Claims.Get(name)
		return v, true, nil
	default:
		return "", false, nil
	}
	return "", true, &ResolverError{Family: family, Name: name}
}

func (c *Context) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Resolve replaces every claim resolver in s. Unknown families stay literal.
func (c *Context) Resolve(s string) (string, error) {
	if !strings.Contains(s, "{") {
		return s, nil
	}
	var firstErr error
	out := resolverRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := resolverRE.FindStringSubmatch(m)
		v, ok, err := c.Lookup(sub[1], sub[2])
		if err != nil && firstErr == nil {
			firstErr = err
		}
		if !ok || err != nil {
			return m
		}
		return v
	})
	return out, firstErr
}
