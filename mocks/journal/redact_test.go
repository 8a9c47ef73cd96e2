package journal_test

import (
	"testing"

	"github.com/iefconform/iefconform/mocks/journal"
)

func TestRedactSecretNames(t *testing.T) {
	for _, k := range []string{"newPassword", "reenterPassword", "oauth_verifier", "my_access_token_name", "X-My-Api-Key", "client_secret", "userSecret"} {
		if !journal.Redact(k) {
			t.Errorf("%s is not redacted", k)
		}
	}
	for _, k := range []string{"oauth_token", "token_type", "email", "state", "displayName"} {
		if journal.Redact(k) {
			t.Errorf("%s is redacted", k)
		}
	}
}
