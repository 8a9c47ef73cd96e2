package harness

import "github.com/iefconform/iefconform/engine/server"

// RegisterApplication registers an application with the emulator for the
// scenario, beside the mock relying party; it takes effect when the sign-in
// starts.
func (w *World) RegisterApplication(app server.Application) {
	w.policyOpts.Applications = append(w.policyOpts.Applications, app)
	w.dirty = true
}
