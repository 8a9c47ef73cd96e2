package selfasserted

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/iefconform/iefconform/engine/policy"
)

// Predicate methods (spec DIR §3.5).
const (
	MethodIsLengthRange      = "IsLengthRange"
	MethodMatchesRegex       = "MatchesRegex"
	MethodIncludesCharacters = "IncludesCharacters"
	MethodIsDateRange        = "IsDateRange"
)

// predicate is one compiled Predicate.
type predicate struct {
	id, helpText string
	test         func(v string, now time.Time) (bool, error)
}

// predicateGroup is one PredicateGroup: it passes when all its predicates
// do, or at least matchAtLeast of them.
type predicateGroup struct {
	helpText     string
	matchAtLeast int
	predicates   []*predicate
}

// predicateValidation is a compiled PredicateValidation: every group must pass.
type predicateValidation struct {
	groups []predicateGroup
}

// check returns the message for v: the first failing group's UserHelpText
// followed by the HelpText of each of its failing predicates; "" when every
// group passes.
func (pv *predicateValidation) check(v string, now time.Time) (string, error) {
	for _, g := range pv.groups {
		var failed []string
		for _, pr := range g.predicates {
			ok, err := pr.test(v, now)
			if err != nil {
				return "", fmt.Errorf("predicate %s: %w", pr.id, err)
			}
			if !ok {
				failed = append(failed, pr.helpText)
			}
		}
		need := len(g.predicates)
		if g.matchAtLeast > 0 && g.matchAtLeast < need {
			need = g.matchAtLeast
		}
		if len(g.predicates)-len(failed) >= need {
			continue
		}
		var parts []string
		if g.helpText != "" {
			parts = append(parts, g.helpText)
		}
		for _, t := range failed {
			if t != "" {
				parts = append(parts, t)
			}
		}
		if len(parts) == 0 {
			parts = append(parts, MsgPattern)
		}
		return strings.Join(parts, " "), nil
	}
	return "", nil
}

// compilePredicateValidation compiles the PredicateValidation id that claim
// type ct references; what does not compile is a problem at the element.
func compilePredicateValidation(p *policy.Policy, ct *policy.ClaimType, id string) (*predicateValidation, policy.Problems) {
	pv, ok := p.PredicateValidations[id]
	if !ok {
		return nil, policy.Problems{{File: ct.Pos.File, Line: ct.Pos.Line, Path: "ClaimType[Id=" + ct.ID + "]/PredicateValidationReference",
			Message: fmt.Sprintf("PredicateValidation %q is not defined", id), Err: policy.ErrUnknownReference}}
	}
	var probs policy.Problems
	out := &predicateValidation{}
	for _, g := range pv.Groups {
		cg := predicateGroup{helpText: strings.TrimSpace(g.UserHelpText), matchAtLeast: g.References.MatchAtLeast}
		for _, ref := range g.References.References {
			pr, ok := p.Predicates[ref.ID]
			if !ok {
				probs = append(probs, policy.Problem{File: pv.Pos.File, Line: pv.Pos.Line, Path: "PredicateValidation[Id=" + pv.ID + "]",
					Message: fmt.Sprintf("Predicate %q is not defined", ref.ID), Err: policy.ErrUnknownReference})
				continue
			}
			c, err := compilePredicate(pr)
			if err != nil {
				probs = append(probs, policy.Problem{File: pr.Pos.File, Line: pr.Pos.Line, Path: "Predicate[Id=" + pr.ID + "]", Message: err.Error()})
				continue
			}
			cg.predicates = append(cg.predicates, c)
		}
		out.groups = append(out.groups, cg)
	}
	if len(probs) > 0 {
		return nil, probs
	}
	return out, nil
}

// compilePredicate turns a Predicate into its test.
func compilePredicate(pr *policy.Predicate) (*predicate, error) {
	c := &predicate{id: pr.ID, helpText: pr.HelpText}
	switch pr.Method {
	case MethodIsLengthRange:
		lo, err := intParameter(pr, "Minimum", 0)
		if err != nil {
			return nil, err
		}
		hi, err := intParameter(pr, "Maximum", -1)
		if err != nil {
			return nil, err
		}
		c.test = func(v string, _ time.Time) (bool, error) {
			n := len(utf16.Encode([]rune(v))) // .NET counts UTF-16 code units
			return n >= lo && (hi < 0 || n <= hi), nil
		}
	case MethodMatchesRegex:
		expr, _ := pr.Parameter("RegularExpression")
		re, err := compileRegex(expr)
		if err != nil {
			return nil, fmt.Errorf("the RegularExpression parameter does not compile: %w", err)
		}
		c.test = func(v string, _ time.Time) (bool, error) { return re.match(v) }
	case MethodIncludesCharacters:
		set, _ := pr.Parameter("CharacterSet")
		in, err := parseCharacterSet(set)
		if err != nil {
			return nil, err
		}
		c.test = func(v string, _ time.Time) (bool, error) { return strings.ContainsFunc(v, in), nil }
	case MethodIsDateRange:
		lo, _ := pr.Parameter("Minimum")
		hi, _ := pr.Parameter("Maximum")
		for _, d := range []string{lo, hi} {
			if _, err := parseDateBound(d, time.Time{}); err != nil {
				return nil, err
			}
		}
		c.test = func(v string, now time.Time) (bool, error) {
			d, err := time.Parse(time.DateOnly, strings.TrimSpace(v))
			if err != nil {
				return false, nil
			}
			today := now.UTC()
			min, _ := parseDateBound(lo, today)
			max, _ := parseDateBound(hi, today)
			return (min.IsZero() || !d.Before(min)) && (max.IsZero() || !d.After(max)), nil
		}
	default:
		return nil, fmt.Errorf("predicate method %q is not one of %s, %s, %s, %s", pr.Method,
			MethodIsLengthRange, MethodMatchesRegex, MethodIncludesCharacters, MethodIsDateRange)
	}
	return c, nil
}

func intParameter(pr *policy.Predicate, name string, def int) (int, error) {
	s, ok := pr.Parameter(name)
	if !ok || strings.TrimSpace(s) == "" {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 {
		return 0, fmt.Errorf("parameter %s is not a non-negative whole number: %q", name, s)
	}
	return n, nil
}

// parseDateBound reads an IsDateRange bound: yyyy-mm-dd, Today (the UTC
// date of today), or empty (no bound: the zero time).
func parseDateBound(s string, today time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return time.Time{}, nil
	case strings.EqualFold(s, "Today"):
		y, m, d := today.Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("date bound %q is neither yyyy-mm-dd nor Today", s)
	}
	return t, nil
}

// parseCharacterSet reads an IncludesCharacters CharacterSet as the body of a
// character class: `\` escapes the next character, `x-y` is a range, and
// every other character, `[` and `]` included, stands for itself
// (docs/behavior-decisions.md). It returns the membership test.
func parseCharacterSet(set string) (func(rune) bool, error) {
	rs := []rune(set)
	if len(rs) == 0 {
		return nil, fmt.Errorf("the CharacterSet parameter is empty")
	}
	type span struct{ lo, hi rune }
	var spans []span
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		if c == '\\' && i+1 < len(rs) {
			i++
			c = rs[i]
		}
		if i+2 < len(rs) && rs[i+1] == '-' {
			hi := rs[i+2]
			j := i + 2
			if hi == '\\' && j+1 < len(rs) {
				j++
				hi = rs[j]
			}
			if hi >= c {
				spans = append(spans, span{c, hi})
				i = j
				continue
			}
		}
		spans = append(spans, span{c, c})
	}
	return func(r rune) bool {
		for _, s := range spans {
			if r >= s.lo && r <= s.hi {
				return true
			}
		}
		return false
	}, nil
}
