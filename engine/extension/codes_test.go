package extension_test

import (
	"testing"

	"github.com/iefconform/iefconform/engine/extension"
)

func TestCodes(t *testing.T) {
	codes := extension.Codes()
	if len(codes) != 27 {
		t.Errorf("want 27 codes (1003000–1003027 without 1003013), got %d", len(codes))
	}
	for c := 1003000; c <= 1003027; c++ {
		name, ok := codes[c]
		if c == 1003013 {
			if ok {
				t.Errorf("1003013: want absent, got %q", name)
			}
			continue
		}
		if !ok || name == "" {
			t.Errorf("%d: want a name, got none", c)
		}
		if got := extension.Name(c); got != name {
			t.Errorf("Name(%d) = %q, Codes()[%d] = %q", c, got, c, name)
		}
	}
	for code, want := range map[int]string{
		1003000: "EventHandlerUnexpectedError",
		1003001: "CustomExtensionUnexpectedError",
		1003005: "CustomExtensionTimedOut",
		1003008: "CustomExtensionInvalidResponseApiSchemaVersion",
		1003014: "CustomExtensionIncorrectResourceIdFormat",
		1003018: "CustomExtensionClientServiceDisabled",
		1003020: "CustomExtensionIncorrectTargetUrlFormat",
		1003022: "CustomExtensionMsGraphServicePrincipalDisabledOrNotFound",
		1003027: "CustomExtensionConnectionError",
	} {
		if codes[code] != want {
			t.Errorf("%d: want %q, got %q", code, want, codes[code])
		}
	}
	codes[1003005] = "changed"
	if extension.Codes()[1003005] != "CustomExtensionTimedOut" {
		t.Error("Codes() shares its map between calls")
	}
	if extension.Name(1003013) != "" || extension.Name(42) != "" {
		t.Error("want no name for codes outside the table")
	}
}
