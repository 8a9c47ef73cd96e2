package claims

import "github.com/iefconform/iefconform/engine/policy"

// Precondition actions.
const (
	ActionSkipStep              = "SkipThisOrchestrationStep"
	ActionSkipValidationProfile = "SkipThisValidationTechnicalProfile"
)

// Skip evaluates preconditions as B2C does (spec §5.3) and reports whether the
// step or validation profile they guard is skipped. Preconditions are evaluated
// in document order; the first satisfied one triggers its action and the rest are
// ignored. A ClaimEquals whose claim is absent is ignored whatever ExecuteActionsIf
// says.
func Skip(pcs []policy.Precondition, bag *Bag) bool {
	for _, pc := range pcs {
		if len(pc.Values) == 0 {
			continue
		}
		var test bool
		switch pc.Type {
		case "ClaimsExist":
			test = bag.Has(pc.Values[0])
		case "ClaimEquals":
			if !bag.Has(pc.Values[0]) || len(pc.Values) < 2 {
				continue
			}
			v, _ := bag.Get(pc.Values[0])
			test = v == pc.Values[1] // ordinal, case-sensitive
		default:
			continue
		}
		if test == pc.ExecuteActionsIf {
			return pc.Action == ActionSkipStep || pc.Action == ActionSkipValidationProfile
		}
	}
	return false
}
