package claims

import (
	"reflect"
	"testing"
	"time"
)

type stringer struct{}

func (stringer) String() string { return "from String()" }

func TestBagReads(t *testing.T) {
	bag := NewBag()
	bag.Set("email", "alice@contoso.com")
	bag.Set("empty", "")
	bag.Set("groups", []string{"a", "b", "c"})
	bag.Set("noItems", []string{})
	bag.Set("nilItems", []string(nil))
	bag.Set("nil", nil)
	bag.Set("count", 42)
	bag.Set("flag", true)
	bag.Set("stringer", stringer{})

	tests := []struct {
		name      string
		id        string
		wantHas   bool
		wantGet   string
		wantGetOK bool
		wantValue any
	}{
		{"string", "email", true, "alice@contoso.com", true, "alice@contoso.com"},
		{"empty string is present but has no value", "empty", false, "", true, ""},
		{"collection joined with commas", "groups", true, "a,b,c", true, []string{"a", "b", "c"}},
		{"empty collection has no value", "noItems", false, "", true, []string{}},
		{"nil collection has no value", "nilItems", false, "", true, []string(nil)},
		{"nil has no value", "nil", false, "", true, nil},
		{"int rendered as text", "count", true, "42", true, 42},
		{"bool rendered as text", "flag", true, "true", true, true},
		{"Stringer rendered by String", "stringer", true, "from String()", true, stringer{}},
		{"absent", "surname", false, "", false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := bag.Has(tt.id); got != tt.wantHas {
				t.Errorf("Has(%q) = %v, want %v", tt.id, got, tt.wantHas)
			}
			got, ok := bag.Get(tt.id)
			if got != tt.wantGet || ok != tt.wantGetOK {
				t.Errorf("Get(%q) = %q, %v; want %q, %v", tt.id, got, ok, tt.wantGet, tt.wantGetOK)
			}
			v, ok := bag.Value(tt.id)
			if !reflect.DeepEqual(v, tt.wantValue) || ok != tt.wantGetOK {
				t.Errorf("Value(%q) = %#v, %v; want %#v, %v", tt.id, v, ok, tt.wantValue, tt.wantGetOK)
			}
		})
	}
}

func TestBagKeysSorted(t *testing.T) {
	bag := NewBag()
	for _, k := range []string{"surname", "Email", "a", "givenName", "objectId"} {
		bag.Set(k, "x")
	}
	bag.Delete("objectId")
	bag.Delete("missing")
	want := []string{"Email", "a", "givenName", "surname"}
	if got := bag.Keys(); !reflect.DeepEqual(got, want) {
		t.Errorf("Keys() = %q, want %q", got, want)
	}
	if got := NewBag().Keys(); got == nil || len(got) != 0 {
		t.Errorf("NewBag().Keys() = %#v, want an empty slice", got)
	}
}

func TestBagSetReplacesAndDelete(t *testing.T) {
	bag := NewBag()
	bag.Set("email", "old@contoso.com")
	bag.Set("email", "new@contoso.com")
	if got, _ := bag.Get("email"); got != "new@contoso.com" {
		t.Errorf("Get after second Set = %q, want new@contoso.com", got)
	}
	bag.Delete("email")
	if _, ok := bag.Value("email"); ok {
		t.Errorf("Value after Delete: present, want absent")
	}
}

func TestBagCloneIndependent(t *testing.T) {
	orig := NewBag()
	orig.Set("email", "alice@contoso.com")
	orig.Set("groups", []string{"a", "b"})

	clone := orig.Clone()
	if !reflect.DeepEqual(bagMap(clone), bagMap(orig)) {
		t.Fatalf("Clone() = %#v, want %#v", bagMap(clone), bagMap(orig))
	}

	// Writes to the clone do not reach the original ...
	clone.Set("email", "bob@contoso.com")
	clone.Set("surname", "Smith")
	v, _ := clone.Value("groups")
	v.([]string)[0] = "changed"
	// ... and writes to the original do not reach the clone.
	orig.Delete("groups")

	want := map[string]any{"email": "alice@contoso.com"}
	if got := bagMap(orig); !reflect.DeepEqual(got, want) {
		t.Errorf("original after changing the clone = %#v, want %#v", got, want)
	}
	wantClone := map[string]any{"email": "bob@contoso.com", "surname": "Smith", "groups": []string{"changed", "b"}}
	if got := bagMap(clone); !reflect.DeepEqual(got, wantClone) {
		t.Errorf("clone = %#v, want %#v", got, wantClone)
	}

	// The original's collection is not shared with the clone either.
	orig2 := NewBag()
	items := []string{"x"}
	orig2.Set("items", items)
	c2 := orig2.Clone()
	items[0] = "mutated"
	if got, _ := c2.Get("items"); got != "x" {
		t.Errorf("clone saw a change to the original's collection: %q", got)
	}
}

func TestNilBagReadsAsEmpty(t *testing.T) {
	var bag *Bag
	if bag.Has("x") {
		t.Error("nil bag Has(x) = true")
	}
	if _, ok := bag.Get("x"); ok {
		t.Error("nil bag Get(x) found a value")
	}
	if _, ok := bag.Value("x"); ok {
		t.Error("nil bag Value(x) found a value")
	}
	if got := bag.Keys(); len(got) != 0 {
		t.Errorf("nil bag Keys() = %q", got)
	}
}

func TestString(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"nil", nil, ""},
		{"string", "x", "x"},
		{"collection", []string{"a", "b"}, "a,b"},
		{"empty collection", []string{}, ""},
		{"int64", int64(1637929864), "1637929864"},
		{"bool false", false, "false"},
		{"time.Duration is a Stringer", 90 * time.Second, "1m30s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := String(tt.v); got != tt.want {
				t.Errorf("String(%#v) = %q, want %q", tt.v, got, tt.want)
			}
		})
	}
}
