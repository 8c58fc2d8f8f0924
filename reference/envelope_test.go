package reference

import (
	"bytes"
	"encoding/json"
	"testing"
)

// envelope is how the reference wrote errors with encoding/json.
type envelope struct {
	Error errorBody `json:"error"`
	OK    bool      `json:"ok"`
}

type errorBody struct {
	Type             string         `json:"type"`
	Message          string         `json:"message"`
	RequestID        string         `json:"request_id"`
	ValidationErrors map[string]any `json:"validation_errors,omitempty"`
}

// The error envelope written by hand is byte for byte what encoding/json
// writes for the same fields: strings it escapes (quotes, HTML, control
// characters, U+2028, invalid UTF-8) and the validation errors present,
// empty or absent.
func TestErrorEnvelopeIsWhatEncodingJSONWrites(t *testing.T) {
	texts := []string{"", "no such user identity in the workspace", `say "hi" \ there`, "<script>&amp;</script>", "a<b", "a>b", "a&b", "\"", "\\", "é and 日本",
		"line\nbreak\ttab\r\x01\x1f\x7f", "\u2028\u2029", "bad \xff\xfe utf-8", "invalid token seam_abc"}
	validations := []map[string]any{nil, {}, {"_errors": []string{}, "user_identity_id": map[string]any{"_errors": []string{"Invalid uuid <x>"}}}}
	compared := 0
	for _, kind := range []string{"invalid_input", "user_identity_not_found", "a \"kind\""} {
		for _, message := range texts {
			for _, validation := range validations {
				for _, ok := range []bool{false, true} {
					want, err := json.Marshal(envelope{errorBody{kind, message, "0f6b4c2e-1d2a-4e3b-9c5d-7e8f9a0b1c2d", validation}, ok})
					if err != nil {
						t.Fatal(err)
					}
					if got := errorEnvelope(kind, message, "0f6b4c2e-1d2a-4e3b-9c5d-7e8f9a0b1c2d", validation, ok); !bytes.Equal(got, want) {
						t.Errorf("kind %q, message %q, validation %v, ok %v:\n got  %s\n want %s", kind, message, validation, ok, got, want)
					}
					compared++
				}
			}
		}
	}
	t.Logf("%d envelopes compared", compared)
}

// The same for any strings.
func FuzzErrorEnvelope(f *testing.F) {
	f.Add("invalid_input", "Invalid <uuid> \"x\"", "0f6b4c2e-1d2a-4e3b-9c5d-7e8f9a0b1c2d", true)
	f.Fuzz(func(t *testing.T, kind, message, requestID string, ok bool) {
		want, _ := json.Marshal(envelope{errorBody{kind, message, requestID, nil}, ok})
		if got := errorEnvelope(kind, message, requestID, nil, ok); !bytes.Equal(got, want) {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
	})
}
