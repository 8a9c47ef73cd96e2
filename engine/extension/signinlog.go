package extension

import (
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// Status values of a sign-in log entry.
const (
	StatusSuccess = "success"
	StatusFailure = "failure"
)

// Entry is the custom extension part of a sign-in log entry: what the
// Authentication Events tab shows (spec §7.3, [S3]).
type Entry struct {
	CorrelationID string
	Time          time.Time
	AppID         string
	ExtensionID   string
	// Status is StatusSuccess or StatusFailure.
	Status string
	// Code and Name are those of the failure; 0 and "" on success.
	Code       int
	Name       string
	HTTPStatus int
	Duration   time.Duration
	Retries    int
}

// NewEntry makes the entry of a call: out on success, f on failure (from
// Resolve or Call).
func NewEntry(at time.Time, correlationID, appID, extensionID string, out *Outcome, f *Failure) Entry {
	e := Entry{CorrelationID: correlationID, Time: at, AppID: appID, ExtensionID: extensionID}
	switch {
	case f != nil:
		e.Status, e.Code, e.Name = StatusFailure, f.Code, f.Name
		e.HTTPStatus, e.Duration, e.Retries = f.HTTPStatus, f.Duration, f.Retries
	case out != nil:
		e.Status = StatusSuccess
		e.HTTPStatus, e.Duration, e.Retries = out.HTTPStatus, out.Duration, out.Retries
	}
	return e
}

// entryJSON is the wire form of an Entry: lowerCamel names, the duration in
// milliseconds.
type entryJSON struct {
	CorrelationID string    `json:"correlationId"`
	Time          time.Time `json:"time"`
	AppID         string    `json:"appId"`
	ExtensionID   string    `json:"extensionId,omitempty"`
	Status        string    `json:"status"`
	Code          int       `json:"code,omitempty"`
	Name          string    `json:"name,omitempty"`
	HTTPStatus    int       `json:"httpStatus,omitempty"`
	DurationMs    int64     `json:"durationMs"`
	Retries       int       `json:"retries"`
}

// MarshalJSON writes lowerCamel fields with durationMs.
func (e Entry) MarshalJSON() ([]byte, error) {
	return json.Marshal(entryJSON{
		CorrelationID: e.CorrelationID, Time: e.Time, AppID: e.AppID, ExtensionID: e.ExtensionID,
		Status: e.Status, Code: e.Code, Name: e.Name, HTTPStatus: e.HTTPStatus,
		DurationMs: e.Duration.Milliseconds(), Retries: e.Retries,
	})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (e *Entry) UnmarshalJSON(data []byte) error {
	var j entryJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*e = Entry{
		CorrelationID: j.CorrelationID, Time: j.Time, AppID: j.AppID, ExtensionID: j.ExtensionID,
		Status: j.Status, Code: j.Code, Name: j.Name, HTTPStatus: j.HTTPStatus,
		Duration: time.Duration(j.DurationMs) * time.Millisecond, Retries: j.Retries,
	}
	return nil
}

// SignInLog keeps entries in the order they were added. It is safe for
// concurrent use; the zero value is an empty log.
type SignInLog struct {
	mu      sync.RWMutex
	entries []Entry
}

// Add appends an entry.
func (l *SignInLog) Add(e Entry) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, e)
}

// ByCorrelationID returns the entries of a sign-in, oldest first; never nil.
func (l *SignInLog) ByCorrelationID(id string) []Entry {
	l.mu.RLock()
	defer l.mu.RUnlock()
	out := []Entry{}
	for _, e := range l.entries {
		if e.CorrelationID == id {
			out = append(out, e)
		}
	}
	return out
}

// All returns a copy of every entry, oldest first; never nil.
func (l *SignInLog) All() []Entry {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return append([]Entry{}, l.entries...)
}

// Handler serves the log: GET ?correlationId=… answers the JSON list of that
// sign-in's entries (possibly []); without correlationId, 400.
func (l *SignInLog) Handler() http.Handler { return http.HandlerFunc(l.handleList) }

func (l *SignInLog) handleList(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, http.StatusMethodNotAllowed, "invalid_request", "want GET, got "+r.Method)
		return
	}
	id := r.URL.Query().Get("correlationId")
	if id == "" {
		writeError(w, http.StatusBadRequest, "invalid_request", "want the query parameter correlationId, got none")
		return
	}
	writeJSON(w, http.StatusOK, l.ByCorrelationID(id))
}

// writeError is the one place the handler turns a problem into a response.
func writeError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
