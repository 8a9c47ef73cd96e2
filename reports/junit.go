package reports

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"strconv"
)

// The JUnit XML report as godog's junit formatter writes it, mirrored like the
// cucumber report (TestJUnitRoundTrip), plus the <properties> a sharded run
// adds to each testsuite: which shard wrote it and the feature file it holds.

type junitSuites struct {
	XMLName  xml.Name      `xml:"testsuites"`
	Name     string        `xml:"name,attr"`
	Tests    int           `xml:"tests,attr"`
	Skipped  int           `xml:"skipped,attr"`
	Failures int           `xml:"failures,attr"`
	Errors   int           `xml:"errors,attr"`
	Time     string        `xml:"time,attr"`
	Suites   []*junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	XMLName    xml.Name         `xml:"testsuite"`
	Name       string           `xml:"name,attr"`
	Tests      int              `xml:"tests,attr"`
	Skipped    int              `xml:"skipped,attr"`
	Failures   int              `xml:"failures,attr"`
	Errors     int              `xml:"errors,attr"`
	Time       string           `xml:"time,attr"`
	Properties *junitProperties `xml:"properties,omitempty"`
	Cases      []*junitCase     `xml:"testcase"`
}

type junitProperties struct {
	Properties []junitProperty `xml:"property"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	XMLName xml.Name      `xml:"testcase"`
	Name    string        `xml:"name,attr"`
	Status  string        `xml:"status,attr"`
	Time    string        `xml:"time,attr"`
	Failure *junitFailure `xml:"failure,omitempty"`
	Errors  []*junitError `xml:"error"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
}

type junitError struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
}

// Names of the testsuite properties of a sharded run.
const (
	propertyShard = "shard" // "2/3"
	propertyURI   = "uri"   // the feature file, as cucumber.json names it
)

// property returns the value of the testsuite property name, "" when absent.
func (s *junitSuite) property(name string) string {
	if s.Properties == nil {
		return ""
	}
	for _, p := range s.Properties.Properties {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

func readJUnit(path string) (*junitSuites, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s junitSuites
	if err := xml.Unmarshal(data, &s); err != nil {
		if err == io.EOF {
			err = fmt.Errorf("no XML element")
		}
		return nil, fmt.Errorf("%s: not a JUnit XML report of godog: %w", path, err)
	}
	for i, suite := range s.Suites {
		if _, err := parseSeconds(suite.Time); err != nil {
			return nil, fmt.Errorf("%s: testsuite %d (%q): time %q: %w", path, i+1, suite.Name, suite.Time, err)
		}
	}
	if _, err := parseSeconds(s.Time); err != nil {
		return nil, fmt.Errorf("%s: testsuites: time %q: %w", path, s.Time, err)
	}
	return &s, nil
}

// writeJUnit writes s as godog's junit formatter does: the XML header, then
// the document indented by two spaces, without a final newline.
func writeJUnit(path string, s *junitSuites) error {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(s); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// parseSeconds reads a JUnit time attribute: seconds, "" counting as 0.
func parseSeconds(s string) (float64, error) {
	if s == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("not a number of seconds")
	}
	return f, nil
}

func formatSeconds(f float64) string {
	return strconv.FormatFloat(f, 'f', -1, 64)
}
