package extension

// EventsServiceAppID is the application id of Entra's authentication events
// service: the azp (v2) and appid (v1) claims of the bearer token it sends.
const EventsServiceAppID = "99045fe1-7639-4a75-9d4a-577b6ca3810f"

// Error codes of the Entra sign-in log for custom extensions (spec §7.4).
// 1003013 does not exist.
const (
	CodeEventHandlerUnexpectedError               = 1003000
	CodeUnexpectedError                           = 1003001
	CodeInvalidHTTPStatus                         = 1003002
	CodeInvalidResponseBody                       = 1003003
	CodeThrottlingError                           = 1003004
	CodeTimedOut                                  = 1003005
	CodeInvalidResponseContentType                = 1003006
	CodeNullClaimsResponse                        = 1003007
	CodeInvalidResponseAPISchemaVersion           = 1003008
	CodeEmptyResponse                             = 1003009
	CodeInvalidNumberOfActions                    = 1003010
	CodeNotFound                                  = 1003011
	CodeInvalidActionType                         = 1003012
	CodeIncorrectResourceIDFormat                 = 1003014
	CodeDomainNameDoesNotMatch                    = 1003015
	CodeResourceServicePrincipalNotFound          = 1003016
	CodeClientServicePrincipalNotFound            = 1003017
	CodeClientServiceDisabled                     = 1003018
	CodeResourceServicePrincipalDisabled          = 1003019
	CodeIncorrectTargetURLFormat                  = 1003020
	CodePermissionNotGrantedToServicePrincipal    = 1003021
	CodeMsGraphServicePrincipalDisabledOrNotFound = 1003022
	CodeBlocked                                   = 1003023
	CodeResponseSizeExceeded                      = 1003024
	CodeResponseClaimsSizeExceeded                = 1003025
	CodeNullOrEmptyClaimKeyNotSupported           = 1003026
	CodeConnectionError                           = 1003027
	firstCode, lastCode                           = CodeEventHandlerUnexpectedError, CodeConnectionError
)

// Name returns the error name of a code, or "" for a code that is not in the
// table.
func Name(code int) string {
	switch code {
	case CodeEventHandlerUnexpectedError:
		return "EventHandlerUnexpectedError"
	case CodeUnexpectedError:
		// The seed [S3] spells it CustomExtenstionUnexpectedError (a typo);
		// the newer troubleshooting page [E-ts] has the corrected name.
		return "CustomExtensionUnexpectedError"
	case CodeInvalidHTTPStatus:
		return "CustomExtensionInvalidHTTPStatus"
	case CodeInvalidResponseBody:
		return "CustomExtensionInvalidResponseBody"
	case CodeThrottlingError:
		return "CustomExtensionThrottlingError"
	case CodeTimedOut:
		return "CustomExtensionTimedOut"
	case CodeInvalidResponseContentType:
		return "CustomExtensionInvalidResponseContentType"
	case CodeNullClaimsResponse:
		return "CustomExtensionNullClaimsResponse"
	case CodeInvalidResponseAPISchemaVersion:
		return "CustomExtensionInvalidResponseApiSchemaVersion"
	case CodeEmptyResponse:
		return "CustomExtensionEmptyResponse"
	case CodeInvalidNumberOfActions:
		return "CustomExtensionInvalidNumberOfActions"
	case CodeNotFound:
		return "CustomExtensionNotFound"
	case CodeInvalidActionType:
		return "CustomExtensionInvalidActionType"
	case CodeIncorrectResourceIDFormat:
		return "CustomExtensionIncorrectResourceIdFormat"
	case CodeDomainNameDoesNotMatch:
		return "CustomExtensionDomainNameDoesNotMatch"
	case CodeResourceServicePrincipalNotFound:
		return "CustomExtensionResourceServicePrincipalNotFound"
	case CodeClientServicePrincipalNotFound:
		return "CustomExtensionClientServicePrincipalNotFound"
	case CodeClientServiceDisabled:
		return "CustomExtensionClientServiceDisabled"
	case CodeResourceServicePrincipalDisabled:
		return "CustomExtensionResourceServicePrincipalDisabled"
	case CodeIncorrectTargetURLFormat:
		return "CustomExtensionIncorrectTargetUrlFormat"
	case CodePermissionNotGrantedToServicePrincipal:
		return "CustomExtensionPermissionNotGrantedToServicePrincipal"
	case CodeMsGraphServicePrincipalDisabledOrNotFound:
		return "CustomExtensionMsGraphServicePrincipalDisabledOrNotFound"
	case CodeBlocked:
		return "CustomExtensionBlocked"
	case CodeResponseSizeExceeded:
		return "CustomExtensionResponseSizeExceeded"
	case CodeResponseClaimsSizeExceeded:
		return "CustomExtensionResponseClaimsSizeExceeded"
	case CodeNullOrEmptyClaimKeyNotSupported:
		return "CustomExtensionNullOrEmptyClaimKeyNotSupported"
	case CodeConnectionError:
		return "CustomExtensionConnectionError"
	}
	return ""
}

// Codes returns the whole table, code → name: 1003000 to 1003027 without the
// absent 1003013. It is a new map on every call (the package keeps no mutable
// state).
func Codes() map[int]string {
	m := make(map[int]string, lastCode-firstCode)
	for c := firstCode; c <= lastCode; c++ {
		if n := Name(c); n != "" {
			m[c] = n
		}
	}
	return m
}
