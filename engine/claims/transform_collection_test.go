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

func TestAddParameterToStringCollection(t *testing.T) {
	ins := []policy.TransformClaim{in("collection", "otherMails")}
	outs := []policy.TransformClaim{in("collection", "otherMails")}
	item := []policy.InputParameter{param("item", "admin@contoso.com")}
	runCases(t, "AddParameterToStringCollection", []ctCase{
		{name: "doc example", claims: map[string]any{"otherMails": []string{"someone@outlook.com"}}, ins: ins, params: item, outs: outs,
			want: map[string]any{"otherMails": []string{"someone@outlook.com", "admin@contoso.com"}}},
		{name: "absent collection starts a new one", ins: ins, params: item, outs: outs,
			want: map[string]any{"otherMails": []string{"admin@contoso.com"}}},
		{name: "values stay unique", claims: map[string]any{"otherMails": []string{"admin@contoso.com", "b"}}, ins: ins, params: item, outs: outs,
			want: map[string]any{"otherMails": []string{"admin@contoso.com", "b"}}},
		{name: "no item parameter", claims: map[string]any{"otherMails": []string{"a"}}, ins: ins, outs: outs, wantErr: errAny},
		{name: "collection input not declared", params: item, outs: outs, wantErr: errAny},
		{name: "no output collection", ins: ins, params: item, wantErr: errAny},
	})
}

func TestGetSingleItemFromStringCollection(t *testing.T) {
	ins := []policy.TransformClaim{in("collection", "otherMails")}
	outs := []policy.TransformClaim{in("extractedItem", "email")}
	runCases(t, "GetSingleItemFromStringCollection", []ctCase{
		{name: "doc example", claims: map[string]any{"otherMails": []string{"someone@outlook.com", "someone@contoso.com"}}, ins: ins, outs: outs,
			want: map[string]any{"email": "someone@outlook.com"}},
		{name: "a single string counts as one item", claims: map[string]any{"otherMails": "a@b.c"}, ins: ins, outs: outs,
			want: map[string]any{"email": "a@b.c"}},
		{name: "empty collection leaves output unset", claims: map[string]any{"otherMails": []string{}}, ins: ins, outs: outs,
			want: map[string]any{"email": nil}},
		{name: "absent collection leaves output unset", ins: ins, outs: outs, want: map[string]any{"email": nil}},
		{name: "no extractedItem", claims: map[string]any{"otherMails": []string{"a"}}, ins: ins, wantErr: errAny},
	})
}

func TestStringCollectionContains(t *testing.T) {
	ins := []policy.TransformClaim{in("inputClaim", "roles")}
	outs := []policy.TransformClaim{in("outputClaim", "isAdmin")}
	params := func(item, ignoreCase string) []policy.InputParameter {
		ps := []policy.InputParameter{param("item", item)}
		if ignoreCase != "" {
			ps = append(ps, param("ignoreCase", ignoreCase))
		}
		return ps
	}
	roles := map[string]any{"roles": []string{"reader", "author", "admin"}}
	runCases(t, "StringCollectionContains", []ctCase{
		{name: "doc example", claims: roles, ins: ins, params: params("Admin", "true"), outs: outs, want: map[string]any{"isAdmin": "true"}},
		{name: "case-sensitive", claims: roles, ins: ins, params: params("Admin", "false"), outs: outs, want: map[string]any{"isAdmin": "false"}},
		{name: "ignoreCase defaults to false", claims: roles, ins: ins, params: params("Admin", ""), outs: outs, want: map[string]any{"isAdmin": "false"}},
		{name: "exact item", claims: roles, ins: ins, params: params("author", ""), outs: outs, want: map[string]any{"isAdmin": "true"}},
		{name: "no substring match", claims: roles, ins: ins, params: params("auth", "true"), outs: outs, want: map[string]any{"isAdmin": "false"}},
		{name: "absent collection leaves output unset", ins: ins, params: params("Admin", "true"), outs: outs, want: map[string]any{"isAdmin": nil}},
		{name: "bad ignoreCase", claims: roles, ins: ins, params: params("Admin", "yes"), outs: outs, wantErr: errAny},
		{name: "no item parameter", claims: roles, ins: ins, outs: outs, wantErr: errAny},
		{name: "no outputClaim", claims: roles, ins: ins, params: params("Admin", "true"), wantErr: errAny},
	})
}

func TestStringCollectionContainsClaim(t *testing.T) {
	ins := []policy.TransformClaim{in("collection", "roles"), in("item", "role")}
	outs := []policy.TransformClaim{in("outputClaim", "hasAccess")}
	ignore := func(v string) []policy.InputParameter { return []policy.InputParameter{param("ignoreCase", v)} }
	runCases(t, "StringCollectionContainsClaim", []ctCase{
		{name: "doc example", claims: map[string]any{"roles": []string{"reader", "author", "admin"}, "role": "Admin"}, ins: ins,
			params: ignore("true"), outs: outs, want: map[string]any{"hasAccess": "true"}},
		{name: "case-sensitive", claims: map[string]any{"roles": []string{"reader", "author", "admin"}, "role": "Admin"}, ins: ins,
			params: ignore("false"), outs: outs, want: map[string]any{"hasAccess": "false"}},
		{name: "not there", claims: map[string]any{"roles": []string{"reader"}, "role": "admin"}, ins: ins, outs: outs,
			want: map[string]any{"hasAccess": "false"}},
		{name: "absent item leaves output unset", claims: map[string]any{"roles": []string{"reader"}}, ins: ins, outs: outs,
			want: map[string]any{"hasAccess": nil}},
		{name: "absent collection leaves output unset", claims: map[string]any{"role": "reader"}, ins: ins, outs: outs,
			want: map[string]any{"hasAccess": nil}},
		{name: "item slot not declared", claims: map[string]any{"roles": []string{"reader"}}, ins: ins[:1], outs: outs, wantErr: errAny},
		{name: "no outputClaim", claims: map[string]any{"roles": []string{"reader"}, "role": "reader"}, ins: ins, wantErr: errAny},
	})
}
