package policy

import (
	"fmt"
	"slices"
	"strings"
)

// invokeStep is the InvokeSubJourney step of sub journey From that names
// sub journey To.
type invokeStep struct {
	from, to string
	step     *OrchestrationStep
}

// invokeGraph is which sub journeys each journey can invoke, in step order.
type invokeGraph struct {
	p     *Policy
	edges map[string][]invokeStep // by invoking sub journey id
}

func newInvokeGraph(p *Policy) *invokeGraph {
	g := &invokeGraph{p: p, edges: make(map[string][]invokeStep)}
	for _, id := range sortedKeys(p.SubJourneys) {
		g.edges[id] = invokes(p, p.SubJourneys[id])
	}
	return g
}

// invokes lists the defined sub journeys j's steps can invoke: every
// Candidate, as any of them may be the one invoked.
func invokes(p *Policy, j *UserJourney) []invokeStep {
	var out []invokeStep
	for i := range j.Steps {
		s := &j.Steps[i]
		for _, c := range s.JourneyList {
			if _, ok := p.SubJourneys[c.SubJourneyReferenceID]; ok {
				out = append(out, invokeStep{from: j.ID, to: c.SubJourneyReferenceID, step: s})
			}
		}
	}
	return out
}

// checkSubJourneyCycles reports every loop of InvokeSubJourney steps among
// the sub journeys of an effective policy: a sub journey that invokes itself,
// directly or through others. At run time such a journey would push sub
// journeys for ever. Each loop (strongly connected group of sub journeys) is
// reported once, at the step that closes it, with the loop spelt out and, when
// one reaches it, the user journey that would run it. B2C documents no error
// code for this (docs/behavior-decisions.md).
func checkSubJourneyCycles(p *Policy) Problems {
	g := newInvokeGraph(p)
	var probs Problems
	for _, scc := range g.components() {
		loop := g.loop(scc)
		if loop == nil {
			continue
		}
		names := make([]string, 0, len(loop)+1)
		for _, e := range loop {
			names = append(names, e.from)
		}
		names = append(names, loop[0].from)
		closing := loop[len(loop)-1]
		msg := fmt.Sprintf("sub journey %q invokes itself in a loop: %s", loop[0].from, strings.Join(names, " -> "))
		if len(loop) == 1 {
			msg = fmt.Sprintf("sub journey %q invokes itself (%s)", loop[0].from, strings.Join(names, " -> "))
		}
		if uj := g.reachedFrom(loop[0].from); uj != "" {
			msg += fmt.Sprintf("; user journey %q runs into this loop and would never end", uj)
		} else {
			msg += "; a journey that invokes it would never end"
		}
		probs = append(probs, problemAt(closing.step.Pos, stepPath("SubJourney", closing.from, closing.step.Order), "", ErrCycle, "%s", msg))
	}
	return probs
}

// components returns the strongly connected groups of sub journeys that hold
// a loop (more than one sub journey, or one that invokes itself), each sorted,
// by Tarjan's algorithm over the sub journeys in id order.
func (g *invokeGraph) components() [][]string {
	index := map[string]int{}
	low := map[string]int{}
	onStack := map[string]bool{}
	var stack []string
	var out [][]string
	var visit func(v string)
	visit = func(v string) {
		index[v] = len(index)
		low[v] = index[v]
		stack = append(stack, v)
		onStack[v] = true
		for _, e := range g.edges[v] {
			if _, seen := index[e.to]; !seen {
				visit(e.to)
				low[v] = min(low[v], low[e.to])
			} else if onStack[e.to] {
				low[v] = min(low[v], index[e.to])
			}
		}
		if low[v] != index[v] {
			return
		}
		var scc []string
		for {
			w := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			onStack[w] = false
			scc = append(scc, w)
			if w == v {
				break
			}
		}
		if len(scc) > 1 || g.invokesItself(v) {
			slices.Sort(scc)
			out = append(out, scc)
		}
	}
	for _, id := range sortedKeys(g.edges) {
		if _, seen := index[id]; !seen {
			visit(id)
		}
	}
	slices.SortFunc(out, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	return out
}

func (g *invokeGraph) invokesItself(id string) bool {
	for _, e := range g.edges[id] {
		if e.to == id {
			return true
		}
	}
	return false
}

// loop returns a shortest loop through the first (smallest) sub journey of
// scc, as the invoke steps that make it, staying inside scc.
func (g *invokeGraph) loop(scc []string) []invokeStep {
	start := scc[0]
	in := make(map[string]bool, len(scc))
	for _, id := range scc {
		in[id] = true
	}
	via := map[string]invokeStep{} // how each sub journey was first reached
	queue := []string{start}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for _, e := range g.edges[v] {
			if e.to == start {
				loop := []invokeStep{e}
				for at := v; at != start; at = via[at].from {
					loop = append(loop, via[at])
				}
				slices.Reverse(loop)
				return loop
			}
			if _, seen := via[e.to]; !seen && in[e.to] {
				via[e.to] = e
				queue = append(queue, e.to)
			}
		}
	}
	return nil
}

// reachedFrom returns the first user journey, by id, from which sub journey id
// can be invoked, directly or through other sub journeys; "" when none.
func (g *invokeGraph) reachedFrom(id string) string {
	for _, ujID := range sortedKeys(g.p.UserJourneys) {
		seen := map[string]bool{}
		queue := []invokeStep{}
		queue = append(queue, invokes(g.p, g.p.UserJourneys[ujID])...)
		for len(queue) > 0 {
			e := queue[0]
			queue = queue[1:]
			if e.to == id {
				return ujID
			}
			if seen[e.to] {
				continue
			}
			seen[e.to] = true
			queue = append(queue, g.edges[e.to]...)
		}
	}
	return ""
}
