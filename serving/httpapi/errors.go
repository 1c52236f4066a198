package httpapi

import (
	"errors"
	"fmt"
	"net/http"
)

// Code is a stable numeric error code. Codes never change meaning; new
// ones are added at the end of their block. 1xxx: bad request; 2xxx:
// model lookup; 3xxx: auth and admin; 5xxx: server side.
type Code int

// The error catalogue.
const (
	// CodeBadJSON: the body is not valid JSON or not the expected shape.
	CodeBadJSON Code = 1001
	// CodeMissingFeature: a row lacks a column the model needs.
	CodeMissingFeature Code = 1002
	// CodeWrongType: a value has the wrong JSON type for its column.
	CodeWrongType Code = 1003
	// CodeInvalidValue: a value is null, NaN or out of range where that
	// is not allowed.
	CodeInvalidValue Code = 1004
	// CodeTooManyRows: more rows than Config.MaxRows.
	CodeTooManyRows Code = 1005
	// CodeBodyTooLarge: the body exceeds Config.MaxBodyBytes.
	CodeBodyTooLarge Code = 1006
	// CodeNoInstances: the request holds no rows.
	CodeNoInstances Code = 1007
	// CodeBadTensor: an Open Inference Protocol tensor's shape, datatype
	// and data disagree.
	CodeBadTensor Code = 1008
	// CodeSchemaMismatch: the rows' columns do not fit the model's input
	// (reported by the model's first stage).
	CodeSchemaMismatch Code = 1009
	// CodeBadRoute: no such route or verb (":predict" misspelt).
	CodeBadRoute Code = 1010

	// CodeModelNotFound: no model of that name is deployed.
	CodeModelNotFound Code = 2001
	// CodeVersionNotFound: the pinned version does not exist.
	CodeVersionNotFound Code = 2002
	// CodeAliasNotFound: the alias does not exist.
	CodeAliasNotFound Code = 2003
	// CodeModelUnavailable: the model could not be loaded now (registry
	// down, load failed); retry later.
	CodeModelUnavailable Code = 2004

	// CodeUnauthorized: a bearer token is missing or wrong.
	CodeUnauthorized Code = 3001
	// CodeAdminDisabled: admin routes need Config.Token to be set.
	CodeAdminDisabled Code = 3002
	// CodeInvalidTransition: the stage change is not allowed.
	CodeInvalidTransition Code = 3003

	// CodeInternal: an unexpected server error.
	CodeInternal Code = 5000
	// CodeModelPanic: the model panicked on this request.
	CodeModelPanic Code = 5001
	// CodeModelFailed: the model returned an error.
	CodeModelFailed Code = 5002
	// CodeRegistryUnavailable: the model registry cannot be reached.
	CodeRegistryUnavailable Code = 5003
)

// status maps a code to its HTTP status.
func (c Code) status() int {
	switch c {
	case CodeBodyTooLarge:
		return http.StatusRequestEntityTooLarge
	case CodeBadRoute, CodeModelNotFound, CodeVersionNotFound, CodeAliasNotFound:
		return http.StatusNotFound
	case CodeModelUnavailable, CodeRegistryUnavailable:
		return http.StatusServiceUnavailable
	case CodeUnauthorized:
		return http.StatusUnauthorized
	case CodeAdminDisabled:
		return http.StatusForbidden
	case CodeInvalidTransition:
		return http.StatusConflict
	case CodeInternal, CodeModelPanic, CodeModelFailed:
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

// Error is an API error: a catalogue code and a message naming the bad
// field, feature or row. It is the body {"error":{"code":C,"message":M}}.
type Error struct {
	Code    Code   `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return fmt.Sprintf("%s (code %d)", e.Message, e.Code) }

func errorf(c Code, format string, args ...any) *Error {
	return &Error{Code: c, Message: fmt.Sprintf(format, args...)}
}

// asError turns any error into an *Error (CodeInternal if it is not one).
func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: CodeInternal, Message: err.Error()}
}
