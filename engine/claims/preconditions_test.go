package claims

import (
	"testing"

	"github.com/iefconform/iefconform/engine/policy"
)

func exist(claim string, executeActionsIf bool) policy.Precondition {
	return policy.Precondition{Type: "ClaimsExist", ExecuteActionsIf: executeActionsIf, Values: []string{claim}, Action: ActionSkipStep}
}

func equals(claim, literal string, executeActionsIf bool) policy.Precondition {
	return policy.Precondition{Type: "ClaimEquals", ExecuteActionsIf: executeActionsIf, Values: []string{claim, literal}, Action: ActionSkipStep}
}

// TestSkip checks the precondition rules of spec §5.3 (checks UJ-02, UJ-03, UJ-04).
func TestSkip(t *testing.T) {
	bag := NewBag()
	bag.Set("email", "alice@contoso.com")
	bag.Set("method", "Phone")
	bag.Set("empty", "")
	bag.Set("noItems", []string{})
	bag.Set("groups", []string{"a", "b"})
	bag.Set("isNew", "True")

	tests := []struct {
		name string
		pcs  []policy.Precondition
		want bool // true: the step is skipped
	}{
		// UJ-02: ClaimsExist × ExecuteActionsIf × present / absent / different value.
		{"UJ-02 ClaimsExist true, present: skip", []policy.Precondition{exist("email", true)}, true},
		{"UJ-02 ClaimsExist true, absent: run", []policy.Precondition{exist("phone", true)}, false},
		{"UJ-02 ClaimsExist true, different value (still present): skip", []policy.Precondition{exist("method", true)}, true},
		{"UJ-02 ClaimsExist false, present: run", []policy.Precondition{exist("email", false)}, false},
		{"UJ-02 ClaimsExist false, absent: skip", []policy.Precondition{exist("phone", false)}, true},
		{"UJ-02 ClaimsExist false, different value (still present): run", []policy.Precondition{exist("method", false)}, false},

		// UJ-02: ClaimEquals × ExecuteActionsIf × equal / absent / different value.
		{"UJ-02 ClaimEquals true, equal: skip", []policy.Precondition{equals("method", "Phone", true)}, true},
		{"UJ-02 ClaimEquals true, absent: run (ignored)", []policy.Precondition{equals("phone", "Phone", true)}, false},
		{"UJ-02 ClaimEquals true, different: run", []policy.Precondition{equals("method", "Email", true)}, false},
		{"UJ-02 ClaimEquals false, equal: run", []policy.Precondition{equals("method", "Phone", false)}, false},
		{"UJ-02 ClaimEquals false, absent: run (ignored, never skips)", []policy.Precondition{equals("phone", "Phone", false)}, false},
		{"UJ-02 ClaimEquals false, different: skip", []policy.Precondition{equals("method", "Email", false)}, true},

		// UJ-03: ordinal, case-sensitive comparison.
		{"UJ-03 ClaimEquals true, Phone vs phone: run", []policy.Precondition{equals("method", "phone", true)}, false},
		{"UJ-03 ClaimEquals false, Phone vs phone: skip", []policy.Precondition{equals("method", "phone", false)}, true},
		{"UJ-03 ClaimEquals true, trailing space differs: run", []policy.Precondition{equals("method", "Phone ", true)}, false},
		{"ClaimEquals boolean compares with True", []policy.Precondition{equals("isNew", "True", true)}, true},

		// A claim set to "" (or an empty collection) counts as absent.
		{"empty string: ClaimsExist true runs", []policy.Precondition{exist("empty", true)}, false},
		{"empty string: ClaimsExist false skips", []policy.Precondition{exist("empty", false)}, true},
		{"empty string: ClaimEquals \"\" true is ignored", []policy.Precondition{equals("empty", "", true)}, false},
		{"empty string: ClaimEquals x false is ignored", []policy.Precondition{equals("empty", "x", false)}, false},
		{"empty collection: ClaimsExist true runs", []policy.Precondition{exist("noItems", true)}, false},
		{"collection: ClaimsExist true skips", []policy.Precondition{exist("groups", true)}, true},

		// Malformed preconditions are ignored.
		{"no Value is ignored (true)", []policy.Precondition{{Type: "ClaimsExist", ExecuteActionsIf: true, Action: ActionSkipStep}}, false},
		{"no Value is ignored (false)", []policy.Precondition{{Type: "ClaimsExist", ExecuteActionsIf: false, Action: ActionSkipStep}}, false},
		{"ClaimEquals without its literal is ignored", []policy.Precondition{{Type: "ClaimEquals", ExecuteActionsIf: false, Values: []string{"method"}, Action: ActionSkipStep}}, false},
		{"unknown type is ignored", []policy.Precondition{{Type: "ClaimMatches", ExecuteActionsIf: false, Values: []string{"phone"}, Action: ActionSkipStep}}, false},
		{"no preconditions: run", nil, false},

		// UJ-04: document order, the first satisfied precondition wins.
		{"UJ-04 unsatisfied then satisfied: skip", []policy.Precondition{exist("phone", true), equals("method", "Phone", true)}, true},
		{"UJ-04 ignored then satisfied: skip", []policy.Precondition{equals("phone", "x", false), exist("phone", false)}, true},
		{"UJ-04 all unsatisfied: run", []policy.Precondition{exist("phone", true), equals("method", "Email", true), exist("email", false)}, false},
		{
			"UJ-04 first satisfied has no skip action: the later skip is not reached",
			[]policy.Precondition{
				{Type: "ClaimsExist", ExecuteActionsIf: true, Values: []string{"email"}, Action: "SomeOtherAction"},
				exist("email", true),
			},
			false,
		},
		{
			"validation profile action skips",
			[]policy.Precondition{{Type: "ClaimsExist", ExecuteActionsIf: true, Values: []string{"email"}, Action: ActionSkipValidationProfile}},
			true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Skip(tt.pcs, bag); got != tt.want {
				t.Errorf("Skip() = %v, want %v (preconditions %+v)", got, tt.want, tt.pcs)
			}
		})
	}
}

func TestSkipNilBag(t *testing.T) {
	// A nil bag reads as empty: ClaimsExist false is satisfied.
	if got := Skip([]policy.Precondition{exist("email", false)}, nil); !got {
		t.Errorf("Skip(ClaimsExist false, nil bag) = false, want true")
	}
}
