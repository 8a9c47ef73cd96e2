package server

import (
	"context"
	"fmt"
	"strings"

	"github.com/iefconform/iefconform/engine/policy"
	"github.com/iefconform/iefconform/engine/profile"
)

// notImplemented stands for a technical profile a journey can reach but the
// emulator cannot run (a PhoneFactor step, say). The policy loads, so the
// journeys that never get there work; one that does stops there, on the
// emulator's error page naming the profile (see Server.stopped), rather than
// answering the relying party with a made-up result.
type notImplemented struct {
	id       string
	protocol string
	pos      policy.Pos
}

func newNotImplemented(tp *policy.TechnicalProfile) notImplemented {
	proto := "no Protocol"
	if tp.Protocol != nil {
		proto = strings.TrimSpace("Protocol " + tp.Protocol.Name + " " + tp.Protocol.Handler)
	}
	return notImplemented{id: tp.ID, protocol: proto, pos: tp.Pos}
}

// Call fails with ErrNotImplemented, naming the profile and where it is defined.
func (n notImplemented) Call(context.Context, *profile.Env) error {
	return fmt.Errorf("technical profile %q (%s) at %s:%d: %w", n.id, n.protocol, n.pos.File, n.pos.Line, ErrNotImplemented)
}
