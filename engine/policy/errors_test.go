package policy_test

import (
	"errors"
	"testing"

	"github.com/iefconform/iefconform/engine/policy"
)

func TestProblemString(t *testing.T) {
	tests := []struct {
		name string
		p    policy.Problem
		want string
	}{
		{
			name: "all parts",
			p: policy.Problem{File: "base.xml", Line: 12, Path: "TechnicalProfile[Id=Facebook-OAUTH]/Metadata",
				Code: "AADB2C90023", Message: "missing"},
			want: "base.xml:12: TechnicalProfile[Id=Facebook-OAUTH]/Metadata: AADB2C90023: missing",
		},
		{
			name: "no code",
			p:    policy.Problem{File: "base.xml", Line: 3, Path: "BasePolicy", Message: "gone"},
			want: "base.xml:3: BasePolicy: gone",
		},
		{
			name: "no line or path",
			p:    policy.Problem{File: "base.xml", Message: "unreadable"},
			want: "base.xml: unreadable",
		},
		{
			name: "message only",
			p:    policy.Problem{Message: "oops"},
			want: "oops",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestProblemsError(t *testing.T) {
	ps := policy.Problems{
		{File: "b.xml", Line: 2, Message: "third"},
		{File: "a.xml", Line: 10, Message: "second"},
		{File: "a.xml", Line: 9, Message: "first", Err: policy.ErrCycle},
	}
	want := "a.xml:9: first\na.xml:10: second\nb.xml:2: third"
	if got := ps.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if ps[0].Message != "third" {
		t.Error("Error() reordered the receiver")
	}
	var err error = ps
	if !errors.Is(err, policy.ErrCycle) {
		t.Error("errors.Is(problems, ErrCycle) = false, want true")
	}
	if errors.Is(err, policy.ErrMissingBase) {
		t.Error("errors.Is(problems, ErrMissingBase) = true, want false")
	}
	var p policy.Problem
	if !errors.As(err, &p) || p.Message != "third" {
		t.Errorf("errors.As(problems, &Problem) = %v, want the first problem", p)
	}
	if policy.Problems(nil).Err() != nil {
		t.Error("empty Problems.Err() is not nil")
	}
}

func TestProblemAt(t *testing.T) {
	pos := policy.Pos{File: "x.xml", Line: 7, Offset: 99}
	got := policy.ProblemAt(pos, "TechnicalProfile[Id=A]", "AADB2C90025", "key %q", "k")
	want := policy.Problem{File: "x.xml", Line: 7, Path: "TechnicalProfile[Id=A]", Code: "AADB2C90025", Message: `key "k"`}
	if got != want {
		t.Errorf("ProblemAt() = %+v, want %+v", got, want)
	}
}
