// Package policy models TrustFrameworkPolicy XML files: parsing, {Settings:Name}
// substitution, BasePolicy inheritance and static validation. It is pure: it reads
// only the files it is given and never touches the network.
package policy

import (
	"encoding/xml"
	"strings"
)

// Namespace is the XML namespace of every TrustFrameworkPolicy document.
const Namespace = "http://schemas.microsoft.com/online/cpim/schemas/2013/06"

// Pos locates an element in its source file.
type Pos struct {
	File string `xml:"-"`
	Line int    `xml:"-"`
	// Offset is the byte offset of the element's start tag; Line is derived from it.
	Offset int64 `xml:"-"`
}

// File is one parsed TrustFrameworkPolicy document, before inheritance is resolved.
type File struct {
	XMLName             xml.Name         `xml:"TrustFrameworkPolicy"`
	PolicySchemaVersion string           `xml:"PolicySchemaVersion,attr"`
	TenantID            string           `xml:"TenantId,attr"`
	TenantObjectID      string           `xml:"TenantObjectId,attr"`
	PolicyID            string           `xml:"PolicyId,attr"`
	PublicPolicyURI     string           `xml:"PublicPolicyUri,attr"`
	DeploymentMode      string           `xml:"DeploymentMode,attr"`
	BasePolicy          *BasePolicy      `xml:"BasePolicy"`
	BuildingBlocks      BuildingBlocks   `xml:"BuildingBlocks"`
	ClaimsProviders     []ClaimsProvider `xml:"ClaimsProviders>ClaimsProvider"`
	UserJourneys        []UserJourney    `xml:"UserJourneys>UserJourney"`
	SubJourneys         []UserJourney    `xml:"SubJourneys>SubJourney"`
	RelyingParty        *RelyingParty    `xml:"RelyingParty"`
	Pos                 Pos              `xml:"-"`
}

// BasePolicy names the parent of a policy file.
type BasePolicy struct {
	TenantID string `xml:"TenantId"`
	PolicyID string `xml:"PolicyId"`
	Pos      Pos    `xml:"-"`
}

// BuildingBlocks holds the claims schema and claims transformations.
type BuildingBlocks struct {
	ClaimTypes            []ClaimType            `xml:"ClaimsSchema>ClaimType"`
	Predicates            []Predicate            `xml:"Predicates>Predicate"`
	PredicateValidations  []PredicateValidation  `xml:"PredicateValidations>PredicateValidation"`
	ClaimsTransformations []ClaimsTransformation `xml:"ClaimsTransformations>ClaimsTransformation"`
	ContentDefinitions    []ContentDefinition    `xml:"ContentDefinitions>ContentDefinition"`
	Localization          *Localization          `xml:"Localization"`
}

// ContentDefinition is a page template of the journey's pages. The emulator
// draws its own pages and reads only the localized resources it names.
type ContentDefinition struct {
	ID                           string                 `xml:"Id,attr"`
	LoadURI                      string                 `xml:"LoadUri"`
	DataURI                      string                 `xml:"DataUri"`
	LocalizedResourcesReferences []LocalizedResourceRef `xml:"LocalizedResourcesReferences>LocalizedResourcesReference"`
	Pos                          Pos                    `xml:"-"`
}

// LocalizedResourceRef names the LocalizedResources of a language.
type LocalizedResourceRef struct {
	Language                      string `xml:"Language,attr"`
	LocalizedResourcesReferenceID string `xml:"LocalizedResourcesReferenceId,attr"`
}

// Localization holds the policy's languages and localized strings.
type Localization struct {
	Enabled            *bool                `xml:"Enabled,attr"`
	SupportedLanguages SupportedLanguages   `xml:"SupportedLanguages"`
	LocalizedResources []LocalizedResources `xml:"LocalizedResources"`
}

// SupportedLanguages lists a Localization's languages and its default.
type SupportedLanguages struct {
	DefaultLanguage string   `xml:"DefaultLanguage,attr"`
	Languages       []string `xml:"SupportedLanguage"`
}

// LocalizedResources is one set of localized strings (one language of one page).
type LocalizedResources struct {
	ID      string            `xml:"Id,attr"`
	Strings []LocalizedString `xml:"LocalizedStrings>LocalizedString"`
}

// LocalizedString is one text: ElementType ClaimType (with ElementId, the
// claim; StringId DisplayName, UserHelpText, PatternHelpText), UxElement,
// ErrorMessage, ClaimsProvider, ...
type LocalizedString struct {
	ElementType string `xml:"ElementType,attr"`
	ElementID   string `xml:"ElementId,attr"`
	StringID    string `xml:"StringId,attr"`
	Value       string `xml:",chardata"`
}

// Predicate is a named check of a claim value (IsLengthRange, MatchesRegex,
// IncludesCharacters, IsDateRange) with its parameters.
type Predicate struct {
	ID         string               `xml:"Id,attr"`
	Method     string               `xml:"Method,attr"`
	HelpText   string               `xml:"HelpText,attr"`
	Parameters []PredicateParameter `xml:"Parameters>Parameter"`
	Pos        Pos                  `xml:"-"`
}

// PredicateParameter is a parameter of a Predicate; its value is the element's text.
type PredicateParameter struct {
	ID    string `xml:"Id,attr"`
	Value string `xml:",chardata"`
}

// Parameter returns the value of the predicate parameter id (case-insensitive).
func (p *Predicate) Parameter(id string) (string, bool) {
	for _, prm := range p.Parameters {
		if strings.EqualFold(prm.ID, id) {
			return prm.Value, true
		}
	}
	return "", false
}

// PredicateValidation groups predicates: every group must pass, and a group
// passes when all its predicates do, or MatchAtLeast of them.
type PredicateValidation struct {
	ID     string           `xml:"Id,attr"`
	Groups []PredicateGroup `xml:"PredicateGroups>PredicateGroup"`
	Pos    Pos              `xml:"-"`
}

// PredicateGroup is one group of a PredicateValidation.
type PredicateGroup struct {
	ID           string              `xml:"Id,attr"`
	UserHelpText string              `xml:"UserHelpText"`
	References   PredicateReferences `xml:"PredicateReferences"`
}

// PredicateReferences lists a group's predicates; MatchAtLeast (0: all of
// them) is how many must pass.
type PredicateReferences struct {
	MatchAtLeast int            `xml:"MatchAtLeast,attr"`
	References   []PredicateRef `xml:"PredicateReference"`
}

// PredicateRef names a Predicate or a PredicateValidation by its Id.
type PredicateRef struct {
	ID string `xml:"Id,attr"`
}

// ClaimType is one ClaimsSchema entry.
type ClaimType struct {
	ID            string       `xml:"Id,attr"`
	DisplayName   string       `xml:"DisplayName"`
	DataType      string       `xml:"DataType"`
	UserHelpText  string       `xml:"UserHelpText"`
	UserInputType string       `xml:"UserInputType"`
	Restriction   *Restriction `xml:"Restriction"`
	// PredicateValidationReference names the PredicateValidation that checks
	// what a user types for the claim.
	PredicateValidationReference *PredicateRef `xml:"PredicateValidationReference"`
	// DefaultPartnerClaimTypes name the claim on the wire of each protocol when a
	// technical profile's claim sets no PartnerClaimType (see Policy.PartnerClaimType).
	DefaultPartnerClaimTypes []DefaultPartnerClaimType `xml:"DefaultPartnerClaimTypes>Protocol"`
	Pos                      Pos                       `xml:"-"`
}

// DefaultPartnerClaimType is one DefaultPartnerClaimTypes/Protocol entry of a
// claim type: its name on the wire of the protocol Name (OAuth1, OAuth2, SAML2
// or OpenIdConnect).
type DefaultPartnerClaimType struct {
	Name             string `xml:"Name,attr"`
	PartnerClaimType string `xml:"PartnerClaimType,attr"`
}

// Restriction limits the values of a claim type.
type Restriction struct {
	Enumerations []Enumeration `xml:"Enumeration"`
	Pattern      *Pattern      `xml:"Pattern"`
}

// Enumeration is one allowed value of a claim type.
type Enumeration struct {
	Text            string `xml:"Text,attr"`
	Value           string `xml:"Value,attr"`
	SelectByDefault bool   `xml:"SelectByDefault,attr"`
}

// Pattern is a regular-expression restriction.
type Pattern struct {
	RegularExpression string `xml:"RegularExpression,attr"`
	HelpText          string `xml:"HelpText,attr"`
}

// ClaimsTransformation is a named transformation method with its claims and parameters.
type ClaimsTransformation struct {
	ID                   string           `xml:"Id,attr"`
	TransformationMethod string           `xml:"TransformationMethod,attr"`
	InputClaims          []TransformClaim `xml:"InputClaims>InputClaim"`
	InputParameters      []InputParameter `xml:"InputParameters>InputParameter"`
	OutputClaims         []TransformClaim `xml:"OutputClaims>OutputClaim"`
	Pos                  Pos              `xml:"-"`
}

// TransformClaim binds a claim type to a transformation's named slot.
type TransformClaim struct {
	ClaimTypeReferenceID    string `xml:"ClaimTypeReferenceId,attr"`
	TransformationClaimType string `xml:"TransformationClaimType,attr"`
	Pos                     Pos    `xml:"-"`
}

// InputParameter is a constant given to a claims transformation.
type InputParameter struct {
	ID       string `xml:"Id,attr"`
	DataType string `xml:"DataType,attr"`
	Value    string `xml:"Value,attr"`
}

// ClaimsProvider groups technical profiles under a display name.
type ClaimsProvider struct {
	DisplayName       string             `xml:"DisplayName"`
	TechnicalProfiles []TechnicalProfile `xml:"TechnicalProfiles>TechnicalProfile"`
}

// Protocol is a technical profile's protocol; Handler is set only for Proprietary.
type Protocol struct {
	Name    string `xml:"Name,attr"`
	Handler string `xml:"Handler,attr"`
}

// Item is one metadata key/value pair.
type Item struct {
	Key   string `xml:"Key,attr"`
	Value string `xml:",chardata"`
	Pos   Pos    `xml:"-"`
}

// Metadata is an ordered list of items; a later item with the same key wins.
type Metadata []Item

// Get returns the value of key and whether it is present. Keys match
// case-insensitively, as B2C's ids do.
func (m Metadata) Get(key string) (string, bool) {
	for i := len(m) - 1; i >= 0; i-- {
		if strings.EqualFold(m[i].Key, key) {
			return m[i].Value, true
		}
	}
	return "", false
}

// Key references a policy key container in the key store.
type Key struct {
	ID                 string `xml:"Id,attr"`
	StorageReferenceID string `xml:"StorageReferenceId,attr"`
	Pos                Pos    `xml:"-"`
}

// ClaimRef is an InputClaim, OutputClaim or PersistedClaim of a technical profile.
type ClaimRef struct {
	ClaimTypeReferenceID  string  `xml:"ClaimTypeReferenceId,attr"`
	PartnerClaimType      string  `xml:"PartnerClaimType,attr"`
	DefaultValue          *string `xml:"DefaultValue,attr"`
	AlwaysUseDefaultValue bool    `xml:"AlwaysUseDefaultValue,attr"`
	Required              bool    `xml:"Required,attr"`
	Pos                   Pos     `xml:"-"`
}

// PartnerName is the claim's name on the wire, ignoring the claim type's
// DefaultPartnerClaimTypes: PartnerClaimType, or else the claim type id. Code
// that has the policy uses Policy.PartnerClaimType, which applies them.
func (c ClaimRef) PartnerName() string {
	if c.PartnerClaimType != "" {
		return c.PartnerClaimType
	}
	return c.ClaimTypeReferenceID
}

// TransformationRef references a claims transformation by id.
type TransformationRef struct {
	ReferenceID string `xml:"ReferenceId,attr"`
	Pos         Pos    `xml:"-"`
}

// DisplayClaim is a claim, or a display control, that a self-asserted page
// shows; a profile with DisplayClaims shows exactly those, in order.
type DisplayClaim struct {
	ClaimTypeReferenceID      string `xml:"ClaimTypeReferenceId,attr"`
	DisplayControlReferenceID string `xml:"DisplayControlReferenceId,attr"`
	Required                  bool   `xml:"Required,attr"`
	Pos                       Pos    `xml:"-"`
}

// ValidationTechnicalProfile is a validation step of a self-asserted profile.
type ValidationTechnicalProfile struct {
	ReferenceID       string         `xml:"ReferenceId,attr"`
	ContinueOnError   *bool          `xml:"ContinueOnError,attr"`
	ContinueOnSuccess *bool          `xml:"ContinueOnSuccess,attr"`
	Preconditions     []Precondition `xml:"Preconditions>Precondition"`
	Pos               Pos            `xml:"-"`
}

// IncludeRef is an IncludeTechnicalProfile or UseTechnicalProfileForSessionManagement reference.
type IncludeRef struct {
	ReferenceID string `xml:"ReferenceId,attr"`
	Pos         Pos    `xml:"-"`
}

// SubjectNamingInfo names the claim that becomes the token's subject.
type SubjectNamingInfo struct {
	ClaimType string `xml:"ClaimType,attr"`
}

// TechnicalProfile is a technical profile as written in one file, or merged.
type TechnicalProfile struct {
	ID                                      string                       `xml:"Id,attr"`
	DisplayName                             string                       `xml:"DisplayName"`
	Protocol                                *Protocol                    `xml:"Protocol"`
	InputTokenFormat                        string                       `xml:"InputTokenFormat"`
	OutputTokenFormat                       string                       `xml:"OutputTokenFormat"`
	Metadata                                Metadata                     `xml:"Metadata>Item"`
	CryptographicKeys                       []Key                        `xml:"CryptographicKeys>Key"`
	InputClaimsTransformations              []TransformationRef          `xml:"InputClaimsTransformations>InputClaimsTransformation"`
	InputClaims                             []ClaimRef                   `xml:"InputClaims>InputClaim"`
	DisplayClaims                           []DisplayClaim               `xml:"DisplayClaims>DisplayClaim"`
	PersistedClaims                         []ClaimRef                   `xml:"PersistedClaims>PersistedClaim"`
	OutputClaims                            []ClaimRef                   `xml:"OutputClaims>OutputClaim"`
	OutputClaimsTransformations             []TransformationRef          `xml:"OutputClaimsTransformations>OutputClaimsTransformation"`
	ValidationTechnicalProfiles             []ValidationTechnicalProfile `xml:"ValidationTechnicalProfiles>ValidationTechnicalProfile"`
	SubjectNamingInfo                       *SubjectNamingInfo           `xml:"SubjectNamingInfo"`
	IncludeTechnicalProfile                 *IncludeRef                  `xml:"IncludeTechnicalProfile"`
	UseTechnicalProfileForSessionManagement *IncludeRef                  `xml:"UseTechnicalProfileForSessionManagement"`
	// IncludeInSso is false when the profile takes no part in single sign-on
	// (nil: the default, true).
	IncludeInSso *bool `xml:"IncludeInSso"`
	// ProviderName is the DisplayName of the enclosing ClaimsProvider (not an XML field of the profile).
	ProviderName string `xml:"-"`
	Pos          Pos    `xml:"-"`
}

// Key returns the cryptographic key with the given id, matched case-insensitively.
func (tp *TechnicalProfile) Key(id string) (Key, bool) {
	for _, k := range tp.CryptographicKeys {
		if strings.EqualFold(k.ID, id) {
			return k, true
		}
	}
	return Key{}, false
}

// UserJourney is a UserJourney or SubJourney.
type UserJourney struct {
	ID                                           string              `xml:"Id,attr"`
	Type                                         string              `xml:"Type,attr"` // SubJourney only: Call or Transfer
	DefaultCpimIssuerTechnicalProfileReferenceID string              `xml:"DefaultCpimIssuerTechnicalProfileReferenceId,attr"`
	Steps                                        []OrchestrationStep `xml:"OrchestrationSteps>OrchestrationStep"`
	Pos                                          Pos                 `xml:"-"`
}

// OrchestrationStep is one step of a user journey.
type OrchestrationStep struct {
	Order                                 int                       `xml:"Order,attr"`
	Type                                  string                    `xml:"Type,attr"`
	ContentDefinitionReferenceID          string                    `xml:"ContentDefinitionReferenceId,attr"`
	CpimIssuerTechnicalProfileReferenceID string                    `xml:"CpimIssuerTechnicalProfileReferenceId,attr"`
	Preconditions                         []Precondition            `xml:"Preconditions>Precondition"`
	ClaimsProviderSelections              *ClaimsProviderSelections `xml:"ClaimsProviderSelections"`
	ClaimsExchanges                       []ClaimsExchange          `xml:"ClaimsExchanges>ClaimsExchange"`
	JourneyList                           []Candidate               `xml:"JourneyList>Candidate"`
	Pos                                   Pos                       `xml:"-"`
}

// Precondition decides whether a step (or validation profile) is skipped.
type Precondition struct {
	Type             string   `xml:"Type,attr"` // ClaimsExist or ClaimEquals
	ExecuteActionsIf bool     `xml:"ExecuteActionsIf,attr"`
	Values           []string `xml:"Value"`
	Action           string   `xml:"Action"`
	Pos              Pos      `xml:"-"`
}

// ClaimsProviderSelections is the set of buttons a selection step offers.
type ClaimsProviderSelections struct {
	DisplayOption string                    `xml:"DisplayOption,attr"` // DoNotShowSingleProvider (default) or ShowSingleProvider
	Selections    []ClaimsProviderSelection `xml:"ClaimsProviderSelection"`
}

// ClaimsProviderSelection is one button of a selection step.
type ClaimsProviderSelection struct {
	TargetClaimsExchangeID     string `xml:"TargetClaimsExchangeId,attr"`
	ValidationClaimsExchangeID string `xml:"ValidationClaimsExchangeId,attr"`
	Pos                        Pos    `xml:"-"`
}

// ClaimsExchange runs one technical profile in a step.
type ClaimsExchange struct {
	ID                          string `xml:"Id,attr"`
	TechnicalProfileReferenceID string `xml:"TechnicalProfileReferenceId,attr"`
	Pos                         Pos    `xml:"-"`
}

// Candidate is a sub journey an InvokeSubJourney step may call.
type Candidate struct {
	SubJourneyReferenceID string `xml:"SubJourneyReferenceId,attr"`
}

// RelyingParty is the relying-party section of the leaf policy.
type RelyingParty struct {
	DefaultUserJourney struct {
		ReferenceID string `xml:"ReferenceId,attr"`
	} `xml:"DefaultUserJourney"`
	TechnicalProfile TechnicalProfile `xml:"TechnicalProfile"`
	Pos              Pos              `xml:"-"`
}

// Policy is the effective policy of a relying-party file: its BasePolicy chain merged.
type Policy struct {
	PolicyID        string
	TenantID        string
	TenantObjectID  string
	PublicPolicyURI string
	DeploymentMode  string
	// Chain lists the policy ids from the root base to this policy.
	Chain                 []string
	ClaimTypes            map[string]*ClaimType
	Predicates            map[string]*Predicate
	PredicateValidations  map[string]*PredicateValidation
	ClaimsTransformations map[string]*ClaimsTransformation
	// ContentDefinitions and LocalizedResources are by id; DefaultLanguage
	// is the Localization's (empty when localization is off).
	ContentDefinitions map[string]*ContentDefinition
	LocalizedResources map[string]*LocalizedResources
	DefaultLanguage    string
	TechnicalProfiles  map[string]*TechnicalProfile
	UserJourneys       map[string]*UserJourney
	SubJourneys        map[string]*UserJourney
	RelyingParty       *RelyingParty
}

// Journey returns the relying party's default user journey.
func (p *Policy) Journey() (*UserJourney, bool) {
	if p.RelyingParty == nil {
		return nil, false
	}
	j, ok := p.UserJourneys[p.RelyingParty.DefaultUserJourney.ReferenceID]
	return j, ok
}
