// Package extension is Microsoft Entra's custom claims provider: the custom
// authentication extension that Entra calls at token issuance
// (onTokenIssuanceStart, spec §7).
//
// A Config holds the extensions, the event listeners that bind them to client
// applications, and the few directory facts Entra checks (service principals,
// admin consent, the Microsoft Graph service principal). Config.Resolve finds
// the listener of a client application and makes the configuration checks
// Entra makes, in its order (1003011, 1003014–1003022). Caller.Call then POSTs
// the tokenIssuanceStart payload with a bearer token signed by the emulator,
// retries as clientConfiguration says, validates the answer (ECP-03, ECP-06)
// and returns the mapped claims (ECP-02). Every failure is a *Failure carrying
// the code and name of the sign-in log (spec §7.4); a SignInLog keeps them per
// correlation id and serves them over HTTP.
//
// Codes the emulator produces: 1003001 (a local failure: the request or its
// token cannot be built, the caller's context ends), 1003002–1003012,
// 1003014–1003022 and 1003024–1003027. It never produces 1003000
// (EventHandlerUnexpectedError: no event handler pipeline is emulated) nor
// 1003023 (CustomExtensionBlocked: no service-side block list).
package extension
