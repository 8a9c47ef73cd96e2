package extension_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/iefconform/iefconform/engine/extension"
)

// roundTrip answers every request with one response, without a network.
type roundTrip struct {
	status      int
	contentType string // "-" sends no Content-Type
	body        []byte
}

func (rt roundTrip) RoundTrip(req *http.Request) (*http.Response, error) {
	h := http.Header{}
	if rt.contentType != "-" {
		h.Set("Content-Type", rt.contentType)
	}
	return &http.Response{
		StatusCode: rt.status,
		Header:     h,
		Body:       io.NopCloser(bytes.NewReader(rt.body)),
		Request:    req,
	}, nil
}

// fuzzBinding is a listener that maps ids to token claim types ("" keeps the
// id), all of them declared by its extension, with no retries.
func fuzzBinding(mapping map[string]string) *extension.Binding {
	b := &extension.Binding{
		Listener:  extension.Listener{ID: listenerID, AppID: clientAppID, ExtensionID: extensionID},
		Extension: extension.Extension{ID: extensionID, TargetURL: "https://127.0.0.1/api/claims"},
		Timeout:   5 * time.Second,
	}
	for id, jwt := range mapping {
		b.Listener.ClaimsMapping = append(b.Listener.ClaimsMapping, extension.ClaimMapping{ID: id, JwtClaimType: jwt})
		b.Extension.ClaimsForTokenConfiguration = append(b.Extension.ClaimsForTokenConfiguration, extension.ClaimForToken{ClaimIDInAPIResponse: id})
	}
	return b
}

// fuzzCall calls the extension of b, answered by rt.
func fuzzCall(b *extension.Binding, rt roundTrip, maxBytes int64) (*extension.Outcome, *extension.Failure) {
	c := &extension.Caller{HTTP: &http.Client{Transport: rt}, Token: "fuzz", Now: fixedNow, MaxResponseBytes: maxBytes}
	return c.Call(context.Background(), b, input())
}

// answerCodes are the codes a complete HTTP 200 answer can fail with.
var answerCodes = map[int]bool{
	extension.CodeInvalidResponseBody:             true,
	extension.CodeInvalidResponseContentType:      true,
	extension.CodeNullClaimsResponse:              true,
	extension.CodeInvalidResponseAPISchemaVersion: true,
	extension.CodeEmptyResponse:                   true,
	extension.CodeInvalidNumberOfActions:          true,
	extension.CodeInvalidActionType:               true,
	extension.CodeResponseSizeExceeded:            true,
	extension.CodeResponseClaimsSizeExceeded:      true,
	extension.CodeNullOrEmptyClaimKeyNotSupported: true,
}

// FuzzCallResponse answers a call with a fuzzed status, Content-Type and
// body. Properties: no panic; exactly one of outcome and failure; a status
// other than 200 fails with 1003002 (1003004 for 429); a 200 answer fails
// only with a code of answerCodes, named as the sign-in log names it; a
// success has a 200 application/json answer whose mapped claims are those
// encoding/json reads in data.actions[0].claims.
func FuzzCallResponse(f *testing.F) {
	ok := func(claims string) string { return claimsBody(claims) }
	for _, s := range []struct {
		status int
		ct     string
		body   string
	}{
		{200, "application/json", ok(`{"DateOfBirth":"01/01/2000","CustomRoles":["Writer","Editor"],"dateofbirth":"case differs","ApiVersion":"1.0","Unmapped":"x","Empty":[]}`)},
		{200, "application/json; charset=utf-8", ok(`{}`)},
		{200, "application/json", `{"data":{"@odata.type":"microsoft.graph.onTokenIssuanceStartResponseData","actions":[{"@odata.type":"microsoft.graph.provideClaimsForToken","claims":{"CustomRoles":"Admin"}}]}}`},
		{200, "application/json", ok(`{"k":"` + strings.Repeat("x", 3071) + `"}`)},
		{201, "application/json", ok(`{}`)},
		{429, "application/json", `{}`},
		{500, "application/json", `{}`},
		{200, "text/plain", ok(`{}`)},
		{200, "-", ""},
		{200, "application/json", " \r\n"},
		{200, "application/json", "null"},
		{200, "application/json", ok(`{}`) + ` {}`},
		{200, "application/json", `{"apiSchemaVersion":"1.0.0","data":{"@odata.type":"microsoft.graph.onTokenIssuanceStartResponseData","actions":[]}}`},
		{200, "application/json", `{"data":{"@odata.type":"microsoft.graph.onTokenIssuanceStartResponseData","apiSchemaVersion":"10-01-2021-preview","actions":[]}}`},
		{200, "application/json", `{"apiSchemaVersion":null,` + ok(`{}`)[1:]},
		{200, "application/json", `{"data":{"@odata.type":"microsoft.graph.onTokenIssuanceStartResponseData","actions":[{"@odata.type":"microsoft.graph.tokenIssuanceStart.continueWithDefaultBehavior","claims":{}}]}}`},
		{200, "application/json", ok(`null`)},
		{200, "application/json", ok(`{"DateOfBirth":"x","":"y"}`)},
		{200, "application/json", ok(`{"DateOfBirth":42,"CustomRoles":["a",1]}`)},
		{200, "application/json", ok(`{"DateOfBirth":"a","DateOfBirth":"b"}`)},
		{200, "application/json", ok("{\"DateOfBirth\":\"\xff\",\"Custom\xffRoles\":[\"\\ud800\"]}")},
	} {
		f.Add(uint16(s.status-100), s.ct, []byte(s.body))
	}
	b := fuzzBinding(map[string]string{"DateOfBirth": "birthdate", "CustomRoles": "", "ApiVersion": "", "k": "", "Custom\ufffdRoles": "roles"})
	f.Fuzz(func(t *testing.T, s uint16, contentType string, body []byte) {
		status := 100 + int(s)%500
		const maxBytes = 4096
		out, fail := fuzzCall(b, roundTrip{status: status, contentType: contentType, body: body}, maxBytes)
		if (out == nil) == (fail == nil) {
			t.Fatalf("Call = %v, %v: want exactly one of outcome and failure", out, fail)
		}
		if fail != nil {
			want := extension.CodeInvalidHTTPStatus
			switch {
			case status == http.StatusTooManyRequests:
				want = extension.CodeThrottlingError
			case status == http.StatusOK && answerCodes[fail.Code]:
				want = fail.Code
			}
			if fail.Code != want || fail.Name != extension.Name(fail.Code) || fail.Name == "" || fail.HTTPStatus != status {
				t.Fatalf("HTTP %d %q %q: failure %d %s (HTTP %d), want code %d", status, contentType, body, fail.Code, fail.Name, fail.HTTPStatus, want)
			}
			if !strings.Contains(fail.Error(), strconv.Itoa(fail.Code)+" "+fail.Name) {
				t.Fatalf("failure %q does not name its code", fail)
			}
			return
		}
		if status != http.StatusOK || !strings.HasPrefix(strings.ToLower(strings.TrimSpace(contentType)), "application/json") || len(body) > maxBytes {
			t.Fatalf("HTTP %d %q with %d bytes succeeded", status, contentType, len(body))
		}
		claims, err := refClaims(body)
		if err != nil {
			t.Fatalf("body %q succeeded, but encoding/json: %v", body, err)
		}
		want := map[string]any{}
		for _, m := range b.Listener.ClaimsMapping {
			if v, ok := claims[m.ID]; ok {
				want[m.ClaimType()] = v
			}
		}
		if !reflect.DeepEqual(out.Claims, want) {
			t.Fatalf("body %q: claims %#v, encoding/json reads %#v", body, out.Claims, want)
		}
	})
}

// refClaims reads data.actions[0].claims of an answer with encoding/json
// (member names exact, the last of repeated members): each value a string or
// a []string.
func refClaims(body []byte) (map[string]any, error) {
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, err
	}
	top, _ := doc.(map[string]any)
	data, _ := top["data"].(map[string]any)
	actions, _ := data["actions"].([]any)
	if len(actions) != 1 {
		return nil, fmt.Errorf("want data.actions with one action, got %v", top)
	}
	action, _ := actions[0].(map[string]any)
	claims, ok := action["claims"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("want a claims object, got %v", action)
	}
	out := map[string]any{}
	for k, v := range claims {
		switch v := v.(type) {
		case string:
			out[k] = v
		case []any:
			items := make([]string, len(v))
			for i, it := range v {
				s, ok := it.(string)
				if !ok {
					return nil, fmt.Errorf("claim %q: item %d is %T", k, i, it)
				}
				items[i] = s
			}
			out[k] = items
		default:
			return nil, fmt.Errorf("claim %q is %T", k, v)
		}
	}
	return out, nil
}

// contractViolations break one rule of a valid answer (or none); want is the
// code it fails with, 0 for none. A violation in the claims (claimsLevel)
// gives way to an empty claim key, checked first.
var contractViolations = []struct {
	name        string
	want        int
	claimsLevel bool
	status      int
	ct          string
	change      func(top, data, action map[string]any) // on the answer's JSON
	body        func(b []byte) []byte                  // on its bytes
	limit       func(b []byte) int64                   // MaxResponseBytes
}{
	{name: "none"},
	{name: "legacy action type", change: func(_, _, a map[string]any) { a["@odata.type"] = extension.LegacyActionType }},
	{name: "charset parameter", ct: "application/json; charset=utf-8"},
	{name: "apiSchemaVersion null", change: func(top, _, _ map[string]any) { top["apiSchemaVersion"] = nil }},
	{name: "HTTP 201", want: extension.CodeInvalidHTTPStatus, status: 201},
	{name: "HTTP 500", want: extension.CodeInvalidHTTPStatus, status: 500},
	{name: "HTTP 429", want: extension.CodeThrottlingError, status: 429},
	{name: "text/plain", want: extension.CodeInvalidResponseContentType, ct: "text/plain"},
	{name: "no Content-Type", want: extension.CodeInvalidResponseContentType, ct: "-"},
	{name: "empty body", want: extension.CodeEmptyResponse, body: func([]byte) []byte { return nil }},
	{name: "null body", want: extension.CodeEmptyResponse, body: func([]byte) []byte { return []byte("null") }},
	{name: "one byte over MaxResponseBytes", want: extension.CodeResponseSizeExceeded, limit: func(b []byte) int64 { return int64(len(b) - 1) }},
	{name: "trailing data", want: extension.CodeInvalidResponseBody, body: func(b []byte) []byte { return append(b, " {}"...) }},
	{name: "truncated", want: extension.CodeInvalidResponseBody, body: func(b []byte) []byte { return b[:len(b)-1] }},
	{name: "wrong data type", want: extension.CodeInvalidResponseBody, change: func(_, d, _ map[string]any) { d["@odata.type"] = extension.CalloutDataType }},
	{name: "no data", want: extension.CodeInvalidResponseBody, change: func(top, _, _ map[string]any) { delete(top, "data") }},
	{name: "apiSchemaVersion", want: extension.CodeInvalidResponseAPISchemaVersion, change: func(top, _, _ map[string]any) { top["apiSchemaVersion"] = "1.0.0" }},
	{name: "apiSchemaVersion in data", want: extension.CodeInvalidResponseAPISchemaVersion, change: func(_, d, _ map[string]any) { d["apiSchemaVersion"] = "10-01-2021-preview" }},
	{name: "no actions", want: extension.CodeInvalidNumberOfActions, change: func(_, d, _ map[string]any) { d["actions"] = []any{} }},
	{name: "two actions", want: extension.CodeInvalidNumberOfActions, change: func(_, d, a map[string]any) { d["actions"] = []any{a, a} }},
	{name: "wrong action type", want: extension.CodeInvalidActionType, change: func(_, _, a map[string]any) {
		a["@odata.type"] = "microsoft.graph.tokenIssuanceStart.continueWithDefaultBehavior"
	}},
	{name: "claims null", want: extension.CodeNullClaimsResponse, change: func(_, _, a map[string]any) { a["claims"] = nil }},
	{name: "no claims", want: extension.CodeNullClaimsResponse, change: func(_, _, a map[string]any) { delete(a, "claims") }},
	{name: "claims an array", want: extension.CodeInvalidResponseBody, change: func(_, _, a map[string]any) { a["claims"] = []any{"a"} }},
	{name: "empty claim key", claimsLevel: true, want: extension.CodeNullOrEmptyClaimKeyNotSupported, change: func(_, _, a map[string]any) { a["claims"].(map[string]any)[""] = "y" }},
	{name: "number claim", claimsLevel: true, want: extension.CodeInvalidResponseBody, change: func(_, _, a map[string]any) { a["claims"].(map[string]any)["n"] = 42 }},
	{name: "null in a collection", claimsLevel: true, want: extension.CodeInvalidResponseBody, change: func(_, _, a map[string]any) { a["claims"].(map[string]any)["n"] = []any{"a", nil} }},
	{name: "claims over 3072 bytes", claimsLevel: true, want: extension.CodeResponseClaimsSizeExceeded, change: func(_, _, a map[string]any) {
		a["claims"].(map[string]any)["big"] = strings.Repeat("x", extension.MaxClaimsSizeBytes)
	}},
}

// FuzzResponseContract builds a valid answer around fuzzed claims (a string
// and a collection, split at '|'), breaks at most one rule of the contract,
// and calls. Properties: a valid answer round-trips its claims, mapped and
// under their token names, undeclared ones left out; each broken rule fails
// with its documented code (an empty claim key with 1003026, claims over
// 3072 bytes with 1003025, whatever the violation's own code otherwise).
func FuzzResponseContract(f *testing.F) {
	seeds := []struct{ k1, v1, k2, v2 string }{
		{"DateOfBirth", "01/01/2000", "CustomRoles", "Writer|Editor"},
		{"ApiVersion", "1.0", "CustomRoles", ""},
		{"DateOfBirth", "", "Empty", "|"},
		{"correlationId", "fcef74ef-29ea-42ca-b150-8f45c8f31ee6", "groups", "a|b|a"},
		{"Date\xffOfBirth", "\xff<&>", "CustomRoles", "\u2028|\\ud800"},
		{"", "x", "CustomRoles", "x"},
		{"k", strings.Repeat("x", 3071), "CustomRoles", "x"},
	}
	for _, s := range seeds {
		f.Add(s.k1, s.v1, s.k2, s.v2, uint8(0))
	}
	for v := range contractViolations {
		s := seeds[v%len(seeds)]
		f.Add(s.k1, s.v1, s.k2, s.v2, uint8(v))
	}
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string, violation uint8) {
		v := contractViolations[int(violation)%len(contractViolations)]
		// The claims as the API means them, read back through JSON (which
		// turns bytes that are not UTF-8 into U+FFFD).
		raw, err := json.Marshal(map[string]any{k1: v1, k2: strings.Split(v2, "|"), "Unmapped": "x"})
		if err != nil {
			t.Fatal(err)
		}
		var claims map[string]any
		if err := json.Unmarshal(raw, &claims); err != nil {
			t.Fatal(err)
		}
		// The claims the answer holds, the mapping of the listener.
		ids := map[string]string{}
		size, emptyKey := 0, false
		for k, val := range claims {
			emptyKey = emptyKey || k == ""
			size += len(k)
			switch val := val.(type) {
			case string:
				size += len(val)
			case []any:
				for _, it := range val {
					size += len(it.(string))
				}
			}
			if k != "Unmapped" {
				ids[k] = "tok-" + k
			}
		}
		want := v.want
		if v.claimsLevel || want == 0 {
			switch {
			case emptyKey:
				want = extension.CodeNullOrEmptyClaimKeyNotSupported
			case want == 0 && size > extension.MaxClaimsSizeBytes:
				want = extension.CodeResponseClaimsSizeExceeded
			}
		}

		answer := map[string]any{}
		for k, val := range claims {
			answer[k] = val
		}
		action := map[string]any{"@odata.type": extension.ActionType, "claims": answer}
		data := map[string]any{"@odata.type": extension.ResponseDataType, "actions": []any{action}}
		top := map[string]any{"data": data}
		if v.change != nil {
			v.change(top, data, action)
		}
		body, err := json.Marshal(top)
		if err != nil {
			t.Fatal(err)
		}
		if v.body != nil {
			body = v.body(body)
		}
		limit := int64(1 << 20)
		if v.limit != nil {
			limit = v.limit(body)
		}
		status, ct := 200, "application/json"
		if v.status != 0 {
			status = v.status
		}
		if v.ct != "" {
			ct = v.ct
		}

		out, fail := fuzzCall(fuzzBinding(ids), roundTrip{status: status, contentType: ct, body: body}, limit)
		if want != 0 {
			if fail == nil || fail.Code != want {
				t.Fatalf("%s: body %s: got %v, %v; want code %d", v.name, body, out, fail, want)
			}
			return
		}
		if fail != nil {
			t.Fatalf("%s: body %s: failure %v", v.name, body, fail)
		}
		wantClaims := map[string]any{}
		for k, val := range claims {
			if k == "Unmapped" {
				continue
			}
			if items, ok := val.([]any); ok {
				s := make([]string, len(items))
				for i, it := range items {
					s[i] = it.(string)
				}
				wantClaims["tok-"+k] = s
			} else {
				wantClaims["tok-"+k] = val
			}
		}
		if !reflect.DeepEqual(out.Claims, wantClaims) {
			t.Fatalf("%s: body %s: claims %#v, want %#v", v.name, body, out.Claims, wantClaims)
		}
	})
}
