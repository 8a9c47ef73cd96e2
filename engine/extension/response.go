package extension

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"sort"
)

// validate checks a 200 answer (spec §7.2, ECP-03, ECP-06) and returns its
// claims, each a string or a []string. The checks run in this order: empty
// body (1003009), Content-Type (1003006), size (1003024), JSON and data
// (1003003), apiSchemaVersion (1003008), actions (1003010), action type
// (1003012), claims (1003007), keys (1003026), value types (1003003), total
// size (1003025).
func (c *Caller) validate(a *attempt) (map[string]any, *Failure) {
	trimmed := bytes.TrimSpace(a.body)
	if len(trimmed) == 0 || string(trimmed) == "null" {
		return nil, failuref(CodeEmptyResponse, "want a JSON body, got %q", trimmed)
	}
	ct := a.header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
		return nil, failuref(CodeInvalidResponseContentType, "want Content-Type application/json, got %q", ct)
	}
	if a.truncated {
		return nil, failuref(CodeResponseSizeExceeded, "the response is longer than %d bytes", len(a.body))
	}
	var top map[string]json.RawMessage
	if err := decodeOne(a.body, &top); err != nil || top == nil {
		return nil, invalidBody("want a JSON object: %v", err)
	}
	if v, ok := top["apiSchemaVersion"]; ok && !isNull(v) {
		return nil, failuref(CodeInvalidResponseAPISchemaVersion, "the request has no apiSchemaVersion, the response says %s", v)
	}
	var data map[string]json.RawMessage
	if raw, ok := top["data"]; !ok || isNull(raw) {
		return nil, invalidBody("want a data object, got none")
	} else if err := json.Unmarshal(raw, &data); err != nil {
		return nil, invalidBody("want data to be an object, got %s", raw)
	}
	if t := stringField(data, "@odata.type"); t != ResponseDataType {
		return nil, invalidBody("want data.@odata.type %q, got %q", ResponseDataType, t)
	}
	if v, ok := data["apiSchemaVersion"]; ok && !isNull(v) {
		return nil, failuref(CodeInvalidResponseAPISchemaVersion, "the request has no apiSchemaVersion, the response says %s", v)
	}
	var actions []json.RawMessage
	if raw, ok := data["actions"]; ok && !isNull(raw) {
		if err := json.Unmarshal(raw, &actions); err != nil {
			return nil, invalidBody("want data.actions to be an array, got %s", raw)
		}
	}
	if len(actions) != 1 {
		return nil, failuref(CodeInvalidNumberOfActions, "want 1 action, got %d", len(actions))
	}
	var action map[string]json.RawMessage
	if err := json.Unmarshal(actions[0], &action); err != nil || action == nil {
		return nil, invalidBody("want the action to be an object, got %s", actions[0])
	}
	if t := stringField(action, "@odata.type"); t != ActionType && t != LegacyActionType {
		return nil, failuref(CodeInvalidActionType, "want action @odata.type %q, got %q", ActionType, t)
	}
	raw, ok := action["claims"]
	if !ok || isNull(raw) {
		return nil, failuref(CodeNullClaimsResponse, "the action has no claims")
	}
	var bag map[string]json.RawMessage
	if err := json.Unmarshal(raw, &bag); err != nil {
		return nil, invalidBody("want claims to be an object, got %s", raw)
	}
	if _, ok := bag[""]; ok {
		return nil, failuref(CodeNullOrEmptyClaimKeyNotSupported, "a claim has an empty key")
	}
	names := make([]string, 0, len(bag))
	for k := range bag {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make(map[string]any, len(bag))
	size := 0
	for _, k := range names {
		v, n, err := claimValue(bag[k])
		if err != nil {
			return nil, invalidBody("claim %q: %v", k, err)
		}
		out[k] = v
		size += len(k) + n
	}
	if size > MaxClaimsSizeBytes {
		return nil, failuref(CodeResponseClaimsSizeExceeded, "want at most %d bytes of claim keys and values, got %d", MaxClaimsSizeBytes, size)
	}
	return out, nil
}

func invalidBody(format string, args ...any) *Failure {
	return failuref(CodeInvalidResponseBody, format, args...)
}

// decodeOne decodes exactly one JSON value.
func decodeOne(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("data after the JSON value")
	}
	return nil
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// stringField is a string member of an object, or "" (a missing or non-string
// member then reads as "").
func stringField(obj map[string]json.RawMessage, key string) string {
	var s string
	if raw, ok := obj[key]; ok {
		if json.Unmarshal(raw, &s) != nil {
			return string(raw)
		}
	}
	return s
}

// claimValue accepts a string or an array of strings [E-ref] and returns it
// with its size in bytes. A boolean, number, object, null or mixed array is
// rejected (ECP-06).
func claimValue(raw json.RawMessage) (any, int, error) {
	var s string
	if !isNull(raw) && json.Unmarshal(raw, &s) == nil {
		return s, len(s), nil
	}
	var arr []json.RawMessage
	if json.Unmarshal(raw, &arr) == nil && arr != nil {
		out := make([]string, len(arr))
		n := 0
		for i, e := range arr {
			if isNull(e) || json.Unmarshal(e, &out[i]) != nil {
				return nil, 0, fmt.Errorf("want a string or an array of strings, got %s", raw)
			}
			n += len(out[i])
		}
		return out, n, nil
	}
	return nil, 0, fmt.Errorf("want a string or an array of strings, got %s", raw)
}

// mapClaims keeps the claims the listener maps and the extension declares,
// matched case-sensitively, under their token names (ECP-02).
func mapClaims(b *Binding, claims map[string]any) map[string]any {
	declared := make(map[string]bool, len(b.Extension.ClaimsForTokenConfiguration))
	for _, c := range b.Extension.ClaimsForTokenConfiguration {
		declared[c.ClaimIDInAPIResponse] = true
	}
	out := map[string]any{}
	for _, m := range b.Listener.ClaimsMapping {
		if v, ok := claims[m.ID]; ok && declared[m.ID] {
			out[m.ClaimType()] = v
		}
	}
	return out
}
