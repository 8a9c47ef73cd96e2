package claims

import (
	"testing"

	"github.com/iefconform/iefconform/engine/policy"
)

func TestAddItemToStringCollection(t *testing.T) {
	ins := []policy.TransformClaim{in("item", "email"), in("collection", "otherMails")}
	outs := []policy.TransformClaim{in("collection", "otherMails")}
	runCases(t, "AddItemToStringCollection", []ctCase{
		{name: "doc example", claims: map[string]any{"email": "admin@contoso.com", "otherMails": []string{"someone@outlook.com"}}, ins: ins, outs: outs,
			want: map[string]any{"otherMails": []string{"someone@outlook.com", "admin@contoso.com"}}},
		{name: "absent collection starts a new one", claims: map[string]any{"email": "admin@contoso.com"}, ins: ins, outs: outs,
			want: map[string]any{"otherMails": []string{"admin@contoso.com"}}},
		{name: "values stay unique", claims: map[string]any{"email": "a", "otherMails": []string{"a", "b", "b"}}, ins: ins, outs: outs,
			want: map[string]any{"otherMails": []string{"a", "b"}}},
		{name: "uniqueness is ordinal", claims: map[string]any{"email": "A", "otherMails": []string{"a"}}, ins: ins, outs: outs,
			want: map[string]any{"otherMails": []string{"a", "A"}}},
		{name: "a single string counts as one item", claims: map[string]any{"email": "b", "otherMails": "a"}, ins: ins, outs: outs,
			want: map[string]any{"otherMails": []string{"a", "b"}}},
		{name: "absent item leaves output unset", claims: map[string]any{"otherMails": []string{"a"}}, ins: ins,
			outs: []policy.TransformClaim{in("collection", "newMails")}, want: map[string]any{"newMails": nil}},
		{name: "collection input not declared", claims: map[string]any{"email": "a"}, ins: ins[:1], outs: outs, wantErr: errAny},
		{name: "no output collection", claims: map[string]any{"email": "a"}, ins: ins, wantErr: errAny},
	})
}

func TestAddItemToStringCollectionDoesNotAlias(t *testing.T) {
	bag := NewBag()
	orig := make([]string, 1, 4) // spare capacity tempts an in-place append
	orig[0] = "a"
	bag.Set("otherMails", orig)
	bag.Set("email", "b")
	ct := &policy.ClaimsTransformation{ID: "x", TransformationMethod: "AddItemToStringCollection",
		InputClaims:  []policy.TransformClaim{in("item", "email"), in("collection", "otherMails")},
		OutputClaims: []policy.TransformClaim{in("collection", "newMails")}}
	if err := Transform(ct, bag); err != nil {
		t.Fatal(err)
	}
	got, _ := bag.Value("newMails")
	got.([]string)[0] = "changed"
	if orig[0] != "a" || orig[:2][1] != "" {
		t.Errorf("input collection changed to %q, want it untouched", orig[:2])
	}
}
