package restful

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/iefconform/iefconform/engine/policy"
)

func TestNewProblems(t *testing.T) {
	const url = "https://api.contoso.com/check"
	tests := []struct {
		name     string
		tp       *policy.TechnicalProfile
		mode     string
		wantCode string
		wantErr  error
		wantLine int
		wantText string
	}{
		{name: "ServiceUrl missing", tp: restTP("R", KeyAuthenticationType, "Basic"),
			wantCode: policy.CodeMissingMetadata, wantErr: policy.ErrMissingMetadata, wantLine: 5, wantText: KeyServiceURL},
		{name: "ServiceUrl empty", tp: restTP("R", KeyServiceURL, "  ", KeyAuthenticationType, "None", KeyAllowInsecureAuthInProduction, "true"),
			wantCode: policy.CodeEmptyMetadata, wantErr: policy.ErrMissingMetadata, wantLine: 10, wantText: KeyServiceURL},
		{name: "ServiceUrl relative", tp: restTP("R", KeyAuthenticationType, "None", KeyServiceURL, "/api/check"),
			mode: "Development", wantCode: CodeInvalidURL, wantErr: ErrInvalidMetadata, wantLine: 11, wantText: "absolute"},
		{name: "ServiceUrl not http", tp: restTP("R", KeyAuthenticationType, "None", KeyServiceURL, "ftp://api.contoso.com/x"),
			mode: "Development", wantCode: CodeInvalidURL, wantErr: ErrInvalidMetadata, wantLine: 11},
		{name: "AuthenticationType missing", tp: restTP("R", KeyServiceURL, url),
			wantCode: policy.CodeMissingMetadata, wantErr: policy.ErrMissingMetadata, wantLine: 5, wantText: KeyAuthenticationType},
		{name: "AuthenticationType unsupported", tp: restTP("R", KeyServiceURL, url, KeyAuthenticationType, "Digest"),
			wantCode: CodeUnsupportedAuthType, wantErr: ErrInvalidMetadata, wantLine: 11, wantText: `"Digest"`},
		{name: "SendClaimsIn unsupported", tp: restTP("R", KeyServiceURL, url, KeyAuthenticationType, "None", KeySendClaimsIn, "Cookie"),
			mode: "Development", wantCode: CodeUnsupportedSendClaimsIn, wantErr: ErrInvalidMetadata, wantLine: 12, wantText: "Cookie"},
		{name: "DebugMode not a boolean", tp: restTP("R", KeyServiceURL, url, KeyAuthenticationType, "None", KeyDebugMode, "yes"),
			mode: "Development", wantCode: CodeInvalidBoolean, wantErr: ErrInvalidMetadata, wantLine: 12},
		{name: "ResolveJsonPathsInJsonTokens not a boolean", tp: restTP("R", KeyServiceURL, url, KeyAuthenticationType, "None", KeyResolveJSONPaths, "1"),
			mode: "Development", wantCode: CodeInvalidBoolean, wantErr: ErrInvalidMetadata, wantLine: 12},
		{name: "AllowInsecureAuthInProduction not a boolean", tp: restTP("R", KeyServiceURL, url, KeyAuthenticationType, "Basic", KeyAllowInsecureAuthInProduction, "maybe"),
			wantCode: CodeInvalidBoolean, wantErr: ErrInvalidMetadata, wantLine: 12},
		{name: "None in Production (REST-15)", tp: restTP("R", KeyServiceURL, url, KeyAuthenticationType, "None"),
			mode: "Production", wantCode: CodeInsecureAuth, wantErr: ErrInsecureAuth, wantLine: 11, wantText: KeyAllowInsecureAuthInProduction},
		{name: "None without DeploymentMode (REST-15)", tp: restTP("R", KeyServiceURL, url, KeyAuthenticationType, "none"),
			mode: "", wantCode: CodeInsecureAuth, wantErr: ErrInsecureAuth, wantLine: 11},
		{name: "None in Production with AllowInsecureAuthInProduction=false", tp: restTP("R", KeyServiceURL, url, KeyAuthenticationType, "None", KeyAllowInsecureAuthInProduction, "false"),
			mode: "production", wantCode: CodeInsecureAuth, wantErr: ErrInsecureAuth, wantLine: 11},
		{name: "Basic without keys", tp: restTP("R", KeyServiceURL, url, KeyAuthenticationType, "Basic"),
			wantCode: policy.CodeMissingKey, wantErr: policy.ErrMissingKey, wantLine: 5, wantText: KeyBasicUsername},
		{name: "Basic without password", tp: withKeys(restTP("R", KeyServiceURL, url, KeyAuthenticationType, "Basic"), KeyBasicUsername, "B2C_1A_User"),
			wantCode: policy.CodeMissingKey, wantErr: policy.ErrMissingKey, wantLine: 5, wantText: KeyBasicPassword},
		{name: "Basic key without StorageReferenceId", tp: withKeys(restTP("R", KeyServiceURL, url, KeyAuthenticationType, "Basic"), KeyBasicUsername, "B2C_1A_User", KeyBasicPassword, ""),
			wantCode: policy.CodeMissingKey, wantErr: policy.ErrMissingKey, wantLine: 31, wantText: KeyBasicPassword},
		{name: "Bearer without key or claim", tp: restTP("R", KeyServiceURL, url, KeyAuthenticationType, "Bearer"),
			wantCode: policy.CodeMissingKey, wantErr: policy.ErrMissingKey, wantLine: 5, wantText: KeyBearerToken},
		{name: "UseClaimAsBearerToken not an input claim", tp: withInputs(restTP("R", KeyServiceURL, url, KeyAuthenticationType, "Bearer", KeyUseClaimAsBearerToken, "bearerToken"), claim("email", "")),
			wantCode: CodeBearerClaimNotInput, wantErr: ErrInvalidMetadata, wantLine: 12, wantText: "bearerToken"},
		{name: "ApiKeyHeader without key", tp: restTP("R", KeyServiceURL, url, KeyAuthenticationType, "ApiKeyHeader"),
			wantCode: policy.CodeMissingKey, wantErr: policy.ErrMissingKey, wantLine: 5, wantText: "header name"},
		{name: "ApiKeyHeader with two keys", tp: withKeys(restTP("R", KeyServiceURL, url, KeyAuthenticationType, "ApiKeyHeader"), "x-functions-key", "B2C_1A_A", "x-api-key", "B2C_1A_B"),
			wantErr: ErrInvalidKeys, wantLine: 31, wantText: "only one header"},
		{name: "ApiKeyHeader key id not a header name", tp: withKeys(restTP("R", KeyServiceURL, url, KeyAuthenticationType, "ApiKeyHeader"), "x functions key", "B2C_1A_A"),
			wantErr: ErrInvalidKeys, wantLine: 30, wantText: "header name"},
		{name: "ApiKeyHeader key without StorageReferenceId", tp: withKeys(restTP("R", KeyServiceURL, url, KeyAuthenticationType, "ApiKeyHeader"), "x-functions-key", ""),
			wantCode: policy.CodeMissingKey, wantErr: policy.ErrMissingKey, wantLine: 30},
		{name: "ClientCertificate without key", tp: restTP("R", KeyServiceURL, url, KeyAuthenticationType, "ClientCertificate"),
			wantCode: policy.CodeMissingKey, wantErr: policy.ErrMissingKey, wantLine: 5, wantText: KeyClientCertificate},
		{name: "Url placeholder in the host", tp: withInputs(restTP("R", KeyServiceURL, "https://{tenant}.contoso.com/api", KeyAuthenticationType, "None", KeySendClaimsIn, "Url"), claim("tenant", "")),
			mode: "Development", wantCode: CodeInvalidURL, wantErr: ErrInvalidMetadata, wantLine: 10, wantText: "host cannot hold claims"},
		{name: "ClaimUsedForRequestPayload not an input claim", tp: withInputs(restTP("R", KeyServiceURL, url, KeyAuthenticationType, "None", KeyClaimUsedForRequestPayload, "payload"), claim("email", "")),
			mode: "Development", wantErr: ErrInvalidMetadata, wantLine: 12, wantText: "not one of its input claims"},
		{name: "ClaimUsedForRequestPayload with Form", tp: withInputs(restTP("R", KeyServiceURL, url, KeyAuthenticationType, "None", KeySendClaimsIn, "Form", KeyClaimUsedForRequestPayload, "payload"), claim("payload", "")),
			mode: "Development", wantErr: ErrInvalidMetadata, wantLine: 13, wantText: "SendClaimsIn=Body"},
		{name: "Header with a partner name that is no header name", tp: withInputs(restTP("R", KeyServiceURL, url, KeyAuthenticationType, "None", KeySendClaimsIn, "Header"), claim("email", "e mail")),
			mode: "Development", wantErr: ErrInvalidMetadata, wantLine: 40, wantText: `"e mail"`},
		{name: "not the RESTful handler", tp: func() *policy.TechnicalProfile {
			tp := restTP("R", KeyServiceURL, url, KeyAuthenticationType, "None")
			tp.Protocol = &policy.Protocol{Name: "Proprietary", Handler: "Web.TPEngine.Providers.SelfAssertedAttributeProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null"}
			return tp
		}(), mode: "Development", wantErr: ErrInvalidMetadata, wantLine: 5, wantText: "not a RESTful profile"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, probs := New(tt.tp, tt.mode)
			if p == nil {
				t.Fatal("want a profile even with problems, got nil")
			}
			var found []string
			for _, pr := range probs {
				found = append(found, pr.String())
				if pr.Code == tt.wantCode && errors.Is(pr, tt.wantErr) && pr.Line == tt.wantLine && pr.File == testFile && strings.Contains(pr.Message, tt.wantText) {
					return
				}
			}
			t.Errorf("want a problem at %s:%d with code %q, error %v and text %q; got:\n%s", testFile, tt.wantLine, tt.wantCode, tt.wantErr, tt.wantText, strings.Join(found, "\n"))
		})
	}
}

func TestNewReportsEveryProblem(t *testing.T) {
	tp := restTP("R", KeyAuthenticationType, "Basic", KeySendClaimsIn, "Cookie", KeyDebugMode, "yes")
	_, probs := New(tp, "Production")
	// ServiceUrl missing, SendClaimsIn, DebugMode, two Basic keys.
	if len(probs) != 5 {
		t.Errorf("want 5 problems, got %d:\n%v", len(probs), probs)
	}
}

func TestNewValid(t *testing.T) {
	tests := []struct {
		name string
		tp   *policy.TechnicalProfile
		mode string
		want Config
	}{
		{
			name: "defaults, values in any case",
			tp:   restTP("R", KeyServiceURL, " https://api.contoso.com/x ", KeyAuthenticationType, "basic", KeyAllowInsecureAuthInProduction, "TRUE"),
			mode: "Production",
			want: Config{ID: "R", ServiceURL: "https://api.contoso.com/x", AuthenticationType: AuthBasic, AllowInsecureAuthInProduction: true, SendClaimsIn: InBody,
				BasicUsernameContainer: "B2C_1A_User", BasicPasswordContainer: "B2C_1A_Pass"},
		},
		{
			name: "None in Development",
			tp:   restTP("R", KeyServiceURL, "http://localhost:7071/api/{id}", KeyAuthenticationType, "None", KeySendClaimsIn, "url", KeyDebugMode, "true", KeyResolveJSONPaths, "True", KeyIncludeClaimResolving, "true"),
			mode: "Development",
			want: Config{ID: "R", ServiceURL: "http://localhost:7071/api/{id}", AuthenticationType: AuthNone, SendClaimsIn: InURL, DebugMode: true, ResolveJSONPaths: true, IncludeClaimResolving: true},
		},
		{
			name: "None in Production allowed",
			tp:   restTP("R", KeyServiceURL, "https://api.contoso.com/x", KeyAuthenticationType, "None", KeyAllowInsecureAuthInProduction, "true", KeySendClaimsIn, "QUERYSTRING"),
			mode: "Production",
			want: Config{ID: "R", ServiceURL: "https://api.contoso.com/x", AuthenticationType: AuthNone, AllowInsecureAuthInProduction: true, SendClaimsIn: InQueryString},
		},
		{
			name: "Bearer from a claim needs no key",
			tp:   withInputs(restTP("R", KeyServiceURL, "https://api.contoso.com/x", KeyAuthenticationType, "Bearer", KeyUseClaimAsBearerToken, "bearerToken"), claim("bearerToken", "")),
			want: Config{ID: "R", ServiceURL: "https://api.contoso.com/x", AuthenticationType: AuthBearer, SendClaimsIn: InBody, UseClaimAsBearerToken: "bearerToken"},
		},
		{
			name: "ApiKeyHeader and messages",
			tp: restTP("R", KeyServiceURL, "https://api.contoso.com/x", KeyAuthenticationType, "ApiKeyHeader", KeySendClaimsIn, "Form",
				KeyDefaultUserMessageIfRequestFailed, "Try later", KeyUserMessageIfCircuitOpen, "Down", KeyUserMessageIfDNSResolutionFailed, "No DNS", KeyUserMessageIfRequestTimeout, "Slow"),
			want: Config{ID: "R", ServiceURL: "https://api.contoso.com/x", AuthenticationType: AuthAPIKeyHeader, SendClaimsIn: InForm, APIKeyHeader: "x-functions-key", APIKeyContainer: "B2C_1A_FunctionKey",
				DefaultUserMessageIfRequestFailed: "Try later", UserMessageIfCircuitOpen: "Down", UserMessageIfDNSResolutionFailed: "No DNS", UserMessageIfRequestTimeout: "Slow"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			switch tt.want.AuthenticationType {
			case AuthBasic:
				withKeys(tt.tp, KeyBasicUsername, "B2C_1A_User", KeyBasicPassword, "B2C_1A_Pass")
			case AuthAPIKeyHeader:
				withKeys(tt.tp, "x-functions-key", "B2C_1A_FunctionKey")
			}
			p, probs := New(tt.tp, tt.mode)
			if len(probs) > 0 {
				t.Fatalf("want no problems, got:\n%v", probs)
			}
			got := p.Config()
			got.InputClaims, got.OutputClaims = nil, nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("config:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestStatusCodeName(t *testing.T) {
	tests := []struct {
		code int
		want string
	}{
		{500, "InternalServerError"}, {400, "BadRequest"}, {404, "NotFound"}, {409, "Conflict"},
		{203, "NonAuthoritativeInformation"}, {414, "RequestUriTooLong"}, {505, "HttpVersionNotSupported"},
		{418, "418"}, {599, "599"}, {503, "ServiceUnavailable"},
	}
	for _, tt := range tests {
		if got := StatusCodeName(tt.code); got != tt.want {
			t.Errorf("StatusCodeName(%d) = %q, want %q", tt.code, got, tt.want)
		}
	}
}
