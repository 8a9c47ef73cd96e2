// Package journal keeps the ordered, redacted record of every request every party of a scenario
// received: the mock identity providers, the REST APIs, the relying party. One [Journal] serves one
// scenario; parties share it so that a Then step can assert on what was called, in which order, and
// how each call ended, and so that a failed scenario can attach a readable dump ([Journal.String]).
//
// Parties record either by wrapping their handler ([Journal.Wrap]) or by hand ([Journal.Record]).
// Secret values (see [Redact]) never reach the journal: their keys stay so that presence can be
// asserted, their values become [Redacted]. A party that needs exact wire values keeps its own
// unredacted record (for example oauth2.Server.Requests).
//
// A journal is bounded: it keeps the latest [DefaultMaxEntries] entries and about
// [DefaultMaxBytes] bytes of them, dropping the oldest first ([WithLimits] changes the bounds,
// [Journal.Dropped] says how many went), so that a party serving a long run does not grow
// without end.
//
// Entries are numbered in the order requests arrived. A request still being served is visible
// with Status 0; its status and error are filled in when the handler returns.
package journal
