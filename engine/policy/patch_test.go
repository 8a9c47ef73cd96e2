package policy_test

import (
	"testing"

	. "github.com/iefconform/iefconform/engine/policy"
)

func TestPatchOverridesMetadataInRelyingParties(t *testing.T) {
	set := loadValid(t)
	ids := set.RelyingParties()
	if len(ids) == 0 {
		t.Fatal("no relying party in testdata/valid")
	}
	before, err := set.Resolve(ids[0])
	if err != nil {
		t.Fatal(err)
	}
	var tpID string
	for id, tp := range before.TechnicalProfiles {
		if tp.Protocol != nil && tp.Protocol.Name == "OAuth2" {
			tpID = id
		}
	}
	if tpID == "" {
		t.Fatal("no OAuth2 technical profile in testdata/valid")
	}
	patched := set.Patch(TechnicalProfile{ID: tpID, Metadata: Metadata{{Key: "HttpBinding", Value: "POST"}, {Key: "scope", Value: "patched"}}})
	after, err := patched.Resolve(ids[0])
	if err != nil {
		t.Fatal(err)
	}
	tp := after.TechnicalProfiles[tpID]
	if v, _ := tp.Metadata.Get("HttpBinding"); v != "POST" {
		t.Errorf("HttpBinding = %q, want POST", v)
	}
	if v, _ := tp.Metadata.Get("scope"); v != "patched" {
		t.Errorf("scope = %q, want patched", v)
	}
	if v, ok := tp.Metadata.Get("client_id"); !ok || v == "" {
		t.Errorf("inherited metadata lost: client_id = %q", v)
	}
	again, err := set.Resolve(ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := again.TechnicalProfiles[tpID].Metadata.Get("scope"); v == "patched" {
		t.Error("Patch changed the original set")
	}
}
