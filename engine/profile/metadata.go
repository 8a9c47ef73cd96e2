package profile

import (
	"fmt"
	"strings"

	"github.com/iefconform/iefconform/engine/policy"
)

// MetadataValue is the value of tp's metadata item key with the white space
// around it trimmed; "" when tp has no such item.
func MetadataValue(tp *policy.TechnicalProfile, key string) string {
	v, _ := tp.Metadata.Get(key)
	return strings.TrimSpace(v)
}

// MetadataBool reads tp's metadata item key as B2C reads a boolean: absent,
// empty or false is false and true is true, in any case. Any other value is
// false with an error that names the profile, the key and the value, for the
// caller to report as a problem at the item.
func MetadataBool(tp *policy.TechnicalProfile, key string) (bool, error) {
	switch v := MetadataValue(tp, key); {
	case v == "", strings.EqualFold(v, "false"):
		return false, nil
	case strings.EqualFold(v, "true"):
		return true, nil
	default:
		return false, fmt.Errorf("technical profile %q has an invalid boolean for %s: %q; want true or false", tp.ID, key, v)
	}
}
