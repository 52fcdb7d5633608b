package httpapi

import (
	"encoding/json"
	"net/http"
)

// 2N API error codes (the subset this server returns).
const (
	codeNotSupported  = 1  // function is not supported
	codeInvalidPath   = 2  // invalid request path
	codeInvalidMethod = 3  // invalid request method
	codeAuthRequired  = 9  // authorization required
	codeNoPrivilege   = 10 // insufficient user privileges
	codeMissingParam  = 11 // missing mandatory parameter
	codeInvalidParam  = 12 // invalid parameter value
	codeTooBig        = 13 // parameter data too big
	codeProcessing    = 14 // unspecified processing error
)

func errorText(code int) string {
	switch code {
	case codeNotSupported:
		return "function is not supported"
	case codeInvalidPath:
		return "invalid request path"
	case codeInvalidMethod:
		return "invalid request method"
	case codeAuthRequired:
		return "authorization required"
	case codeNoPrivilege:
		return "insufficient user privileges"
	case codeMissingParam:
		return "missing mandatory parameter"
	case codeInvalidParam:
		return "invalid parameter value"
	case codeTooBig:
		return "parameter data too big"
	}
	return "unspecified processing error"
}

type apiError struct {
	Code        int    `json:"code"`
	Param       string `json:"param,omitempty"`
	Description string `json:"description"`
}

type envelope struct {
	Success bool      `json:"success"`
	Result  any       `json:"result,omitempty"`
	Error   *apiError `json:"error,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"success": false}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

func ok(w http.ResponseWriter, result any) {
	writeJSON(w, http.StatusOK, envelope{Success: true, Result: result})
}

// fail answers with a 2N error body. 2N units answer API errors with HTTP 200 and
// success=false; only authentication uses HTTP status codes.
func fail(w http.ResponseWriter, status, code int, param string) {
	writeJSON(w, status, envelope{Error: &apiError{Code: code, Param: param, Description: errorText(code)}})
}
