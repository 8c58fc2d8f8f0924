package violations

import (
	"encoding/json"
	"net/http"
)

// ControlPrefix is the reserved path prefix of the control API. Seam's API
// has no path starting with an underscore, so it cannot shadow an
// operation.
//
//	GET  /_seamconform/violations  the Report since the start or the last
//	                               reset (JSON)
//	POST /_seamconform/reset       between tests: start the server's state
//	                               afresh (same credentials) and the Report's
//	                               view; the session's verdict keeps it all
//	POST /_seamconform/forget      forget every violation recorded so far,
//	                               those a test made on purpose
const ControlPrefix = "/_seamconform/"

func (c *Checker) serveControl(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == ControlPrefix+"violations" && r.Method == http.MethodGet:
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(c.Report())
	case r.URL.Path == ControlPrefix+"reset" && r.Method == http.MethodPost:
		c.StartTest()
		writeOK(w)
	case r.URL.Path == ControlPrefix+"forget" && r.Method == http.MethodPost:
		c.Forget()
		writeOK(w)
	default:
		http.Error(w, "control API: GET "+ControlPrefix+"violations, POST "+ControlPrefix+"reset or POST "+ControlPrefix+"forget", http.StatusNotFound)
	}
}

func writeOK(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"ok":true}` + "\n"))
}
