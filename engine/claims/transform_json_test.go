package claims

import (
	"testing"

	"github.com/iefconform/iefconform/engine/policy"
)

func TestGetSingleItemFromJSON(t *testing.T) {
	ins := []policy.TransformClaim{in("inputJson", "inputJson")}
	outs := []policy.TransformClaim{in("key", "resultKey"), in("value", "resultValue")}
	j := func(s string) map[string]any { return map[string]any{"inputJson": s} }
	runCases(t, "GetSingleItemFromJson", []ctCase{
		{name: "unit-test example: first member", claims: j(`{"givenName": "Emilty", "lastName": "Smith"}`), ins: ins, outs: outs,
			want: map[string]any{"resultKey": "givenName", "resultValue": "Emilty"}},
		{name: "number keeps its text", claims: j(`{"price": 1.50}`), ins: ins, outs: outs,
			want: map[string]any{"resultKey": "price", "resultValue": "1.50"}},
		{name: "boolean", claims: j(`{"active": true}`), ins: ins, outs: outs,
			want: map[string]any{"resultKey": "active", "resultValue": "true"}},
		{name: "nested value stays JSON", claims: j(`{"a": {"b": [1, 2]}, "c": 1}`), ins: ins, outs: outs,
			want: map[string]any{"resultKey": "a", "resultValue": `{"b": [1, 2]}`}},
		{name: "null value leaves value unset", claims: j(`{"a": null}`), ins: ins, outs: outs,
			want: map[string]any{"resultKey": "a", "resultValue": nil}},
		{name: "repeated first member keeps its last value", claims: j(`{"a": 1, "b": 2, "a": 3}`), ins: ins, outs: outs,
			want: map[string]any{"resultKey": "a", "resultValue": "3"}},
		{name: "invalid UTF-8 key is U+FFFD", claims: j("{\"\xff\": \"v\"}"), ins: ins, outs: outs,
			want: map[string]any{"resultKey": "\ufffd", "resultValue": "v"}},
		{name: "lone high surrogate before another escape", claims: j(`{"\ud800\u0041": "\ud800\u0042"}`), ins: ins, outs: outs,
			want: map[string]any{"resultKey": "\ufffdA", "resultValue": "\ufffdB"}},
		{name: "key only", claims: j(`{"a": "b"}`), ins: ins, outs: outs[:1], want: map[string]any{"resultKey": "a"}},
		{name: "absent input leaves outputs unset", ins: ins, outs: outs, want: map[string]any{"resultKey": nil, "resultValue": nil}},
		{name: "not JSON", claims: j(`{"a":`), ins: ins, outs: outs, wantErr: ErrNotJSON},
		{name: "array", claims: j(`["a"]`), ins: ins, outs: outs, wantErr: ErrNotJSONObject},
		{name: "empty object", claims: j(`{}`), ins: ins, outs: outs, wantErr: errAny},
		{name: "no outputs", claims: j(`{"a": "b"}`), ins: ins, wantErr: errAny},
		{name: "no inputJson", outs: outs, wantErr: errAny},
	})
}
