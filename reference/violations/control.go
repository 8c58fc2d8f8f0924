package violations

import (
	"encoding/json"
	"net/http"
)

// ControlPrefix is the reserved path prefix of the control API. Seam's API
// has no path starting with an underscore, so it cannot shadow an
// operation.
//
//	GET  /_seamconform/violations  the Report so far (JSON)
//	POST /_seamconform/reset       forget everything recorded and start the
//	                               server's state afresh (same credentials)
const ControlPrefix = "/_seamconform/"

func (c *Checker) serveControl(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == ControlPrefix+"violations" && r.Method == http.MethodGet:
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(c.Report())
	case r.URL.Path == ControlPrefix+"reset" && r.Method == http.MethodPost:
		c.Reset()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}` + "\n"))
	default:
		http.Error(w, "control API: GET "+ControlPrefix+"violations or POST "+ControlPrefix+"reset", http.StatusNotFound)
	}
}
