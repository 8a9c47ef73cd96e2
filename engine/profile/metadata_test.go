package profile

import (
	"testing"

	"github.com/iefconform/iefconform/engine/policy"
)

func TestMetadataBool(t *testing.T) {
	tests := []struct {
		name    string
		items   policy.Metadata
		want    bool
		wantErr string
	}{
		{name: "absent", want: false},
		{name: "empty", items: policy.Metadata{{Key: "K", Value: " "}}, want: false},
		{name: "false", items: policy.Metadata{{Key: "K", Value: "False"}}, want: false},
		{name: "true in another case, padded", items: policy.Metadata{{Key: "K", Value: " TRUE "}}, want: true},
		{name: "not a boolean", items: policy.Metadata{{Key: "K", Value: "yes"}},
			wantErr: `technical profile "T" has an invalid boolean for K: "yes"; want true or false`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MetadataBool(&policy.TechnicalProfile{ID: "T", Metadata: tt.items}, "K")
			if got != tt.want {
				t.Errorf("MetadataBool = %v, want %v", got, tt.want)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("err %v, want none", err)
			case tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr):
				t.Errorf("err %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestMetadataValue(t *testing.T) {
	tp := &policy.TechnicalProfile{ID: "T", Metadata: policy.Metadata{{Key: "K", Value: "  v  "}}}
	if got := MetadataValue(tp, "K"); got != "v" {
		t.Errorf("MetadataValue(K) = %q, want %q", got, "v")
	}
	if got := MetadataValue(tp, "missing"); got != "" {
		t.Errorf("MetadataValue(missing) = %q, want empty", got)
	}
}
