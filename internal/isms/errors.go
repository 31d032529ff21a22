// Package isms holds Holdfast's domain: the record types of an information
// security management system, their validation, and the rules that connect
// them. It imports no database, HTTP or template package; the layers around
// it (store, web, api, report, cli) talk to each other through these types.
package isms

import (
	"errors"
	"fmt"
)

// Kind classifies an Error so that each layer can map it to its own
// vocabulary (an HTTP status, a CLI exit message) in one place.
type Kind int

// The error kinds. Only KindInternal errors are logged; the others are the
// user's to fix and their message is shown to them.
const (
	KindInternal Kind = iota
	KindInvalid
	KindNotFound
	KindConflict
	KindForbidden
	KindUnauthorized
	KindTooLarge
	KindRateLimited
)

// String names the kind for logs and tests.
func (k Kind) String() string {
	switch k {
	case KindInvalid:
		return "invalid"
	case KindNotFound:
		return "not_found"
	case KindConflict:
		return "conflict"
	case KindForbidden:
		return "forbidden"
	case KindUnauthorized:
		return "unauthorized"
	case KindTooLarge:
		return "too_large"
	case KindRateLimited:
		return "rate_limited"
	}
	return "internal"
}

// Msg is a user-facing message as a catalogue key plus its arguments. The
// domain never holds display text; the web and API layers translate Msg
// through the message catalogue.
type Msg struct {
	Key  string
	Args []any
}

// M builds a Msg.
func M(key string, args ...any) Msg { return Msg{Key: key, Args: args} }

// FieldError names one offending input field and what is wrong with it.
type FieldError struct {
	Field string
	Msg   Msg
}

// Error is the one error type the domain and store return for anything the
// user can act on. Message is a catalogue key; Fields lists offending inputs
// in a stable order.
type Error struct {
	Kind   Kind
	Msg    Msg
	Fields []FieldError
	// Err is the underlying cause for internal errors; never shown to users.
	Err error
}

func (e *Error) Error() string {
	s := e.Kind.String() + ": " + e.Msg.Key
	if len(e.Msg.Args) > 0 {
		s += fmt.Sprint(e.Msg.Args)
	}
	for _, f := range e.Fields {
		s += "; " + f.Field + ": " + f.Msg.Key
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an Error of the given kind with a catalogue message.
func Errorf(kind Kind, key string, args ...any) *Error {
	return &Error{Kind: kind, Msg: M(key, args...)}
}

// Internal wraps an unexpected failure. Its details are logged, never shown.
func Internal(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Kind: KindInternal, Msg: M("error.internal"), Err: err}
}

// ErrorKind reports the kind of err; unknown errors are internal.
func ErrorKind(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// AsError converts any error into an *Error, wrapping unknown ones as
// internal.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Internal(err)
}

// Problems collects field errors while validating a record.
type Problems struct {
	list []FieldError
}

// Add records a problem with field.
func (p *Problems) Add(field, key string, args ...any) {
	p.list = append(p.list, FieldError{Field: field, Msg: M(key, args...)})
}

// Has reports whether field already has a problem.
func (p *Problems) Has(field string) bool {
	for _, f := range p.list {
		if f.Field == field {
			return true
		}
	}
	return false
}

// Err returns nil when there were no problems, or an invalid-kind Error
// listing them.
func (p *Problems) Err() error {
	if len(p.list) == 0 {
		return nil
	}
	fields := append([]FieldError(nil), p.list...)
	return &Error{Kind: KindInvalid, Msg: M("error.invalid"), Fields: fields}
}

// Invalid returns an invalid-kind Error about one field.
func Invalid(field, key string, args ...any) *Error {
	return &Error{Kind: KindInvalid, Msg: M("error.invalid"), Fields: []FieldError{{Field: field, Msg: M(key, args...)}}}
}
