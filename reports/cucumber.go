package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// The cucumber JSON report as godog's cucumber formatter writes it. The types
// mirror that formatter's field for field and in the same order, so that a
// report read and written again comes out byte for byte the same
// (TestCucumberRoundTrip): sharded runs correct their reports in place and
// merged reports look like one run's.

type cucumberFeature struct {
	URI         string            `json:"uri"`
	ID          string            `json:"id"`
	Keyword     string            `json:"keyword"`
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Line        int               `json:"line"`
	Comments    []cucumberComment `json:"comments,omitempty"`
	Tags        []cucumberTag     `json:"tags,omitempty"`
	Elements    []cucumberElement `json:"elements,omitempty"`
}

type cucumberComment struct {
	Value string `json:"value"`
	Line  int    `json:"line"`
}

type cucumberTag struct {
	Name string `json:"name"`
	Line int    `json:"line"`
}

// cucumberElement is one scenario: a Scenario, or one example row of a
// Scenario Outline (then Line is the row's line).
type cucumberElement struct {
	ID          string         `json:"id"`
	Keyword     string         `json:"keyword"`
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Line        int            `json:"line"`
	Type        string         `json:"type"`
	Tags        []cucumberTag  `json:"tags,omitempty"`
	Steps       []cucumberStep `json:"steps,omitempty"`
}

type cucumberStep struct {
	Keyword    string              `json:"keyword"`
	Name       string              `json:"name"`
	Line       int                 `json:"line"`
	Docstring  *cucumberDocstring  `json:"doc_string,omitempty"`
	Match      cucumberMatch       `json:"match"`
	Result     cucumberResult      `json:"result"`
	DataTable  []*cucumberTableRow `json:"rows,omitempty"`
	Embeddings []cucumberEmbedding `json:"embeddings,omitempty"`
}

type cucumberDocstring struct {
	Value       string `json:"value"`
	ContentType string `json:"content_type"`
	Line        int    `json:"line"`
}

type cucumberMatch struct {
	Location string `json:"location"`
}

type cucumberResult struct {
	Status   string `json:"status"`
	Error    string `json:"error_message,omitempty"`
	Duration *int   `json:"duration,omitempty"`
}

type cucumberTableRow struct {
	Cells []string `json:"cells"`
}

type cucumberEmbedding struct {
	Name     string `json:"name"`
	MimeType string `json:"mime_type"`
	Data     string `json:"data"`
}

// readCucumber reads a cucumber.json file. Fields godog does not write are
// refused: they would be lost when the report is written again.
func readCucumber(path string) ([]cucumberFeature, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var features []cucumberFeature
	if err := dec.Decode(&features); err != nil {
		return nil, fmt.Errorf("%s: not a cucumber JSON report of godog: %w", path, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%s: not a cucumber JSON report of godog: data after the report", path)
	}
	if features == nil {
		// "null" decodes without an error, but godog always writes a list.
		if !bytes.HasPrefix(bytes.TrimSpace(data), []byte("[")) {
			return nil, fmt.Errorf("%s: not a cucumber JSON report of godog: want a list of features", path)
		}
		features = []cucumberFeature{}
	}
	for i, f := range features {
		if f.URI == "" {
			return nil, fmt.Errorf("%s: feature %d (%q) has no uri", path, i+1, f.Name)
		}
	}
	return features, nil
}

// writeCucumber writes features as godog's cucumber formatter does.
func writeCucumber(path string, features []cucumberFeature) error {
	if features == nil {
		features = []cucumberFeature{}
	}
	b, err := json.MarshalIndent(features, "", "    ")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// status is the outcome of a scenario of the report: the worst of its steps'.
func (e cucumberElement) status() Status {
	s := Passed
	for _, st := range e.Steps {
		var ss Status
		switch st.Result.Status {
		case "passed":
			ss = Passed
		case "skipped":
			ss = Skipped
		case "pending":
			ss = Pending
		case "undefined":
			ss = Undefined
		default: // failed, ambiguous
			ss = Failed
		}
		s = worst(s, ss)
	}
	return s
}
