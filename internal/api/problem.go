package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/holdfast-isms/holdfast/internal/httpx"
	"github.com/holdfast-isms/holdfast/internal/i18n"
	"github.com/holdfast-isms/holdfast/internal/isms"
)

// Problem is the body of every error response: an RFC 9457 problem
// document (application/problem+json) whose errors name the offending
// inputs.
type Problem struct {
	Title  string         `json:"title" doc:"Short summary of the problem type (the HTTP status text)." example:"Unprocessable Entity"`
	Status int            `json:"status" doc:"HTTP status code." example:"422"`
	Detail string         `json:"detail,omitempty" doc:"What went wrong, in words meant for the person using the client." example:"Some of the information you entered needs correcting."`
	Errors []FieldProblem `json:"errors,omitempty" nullable:"false" doc:"The offending inputs, one entry per problem."`
}

// FieldProblem names one offending input and what is wrong with it.
type FieldProblem struct {
	Location string `json:"location" doc:"Where the input is: body.<field>, query.<parameter>, path.<parameter> or header.<name>." example:"body.email"`
	Message  string `json:"message" doc:"What is wrong, in words meant for the person using the client." example:"Enter an email address like name@example.com."`
}

// Error returns the detail.
func (p *Problem) Error() string { return p.Detail }

// GetStatus returns the HTTP status (huma.StatusError).
func (p *Problem) GetStatus() int { return p.Status }

// ContentType makes huma send problems as application/problem+json.
func (p *Problem) ContentType(string) string { return "application/problem+json" }

var tr = i18n.Default

func newProblem(status int, detail string, fields ...FieldProblem) *Problem {
	return &Problem{Title: http.StatusText(status), Status: status, Detail: detail, Errors: fields}
}

// domainProblem turns a domain error into a problem. loc is where its field
// errors live ("body" for writes, "query" for listings).
func domainProblem(e *isms.Error, loc string) *Problem {
	p := newProblem(httpx.Status(e.Kind), tr.Msg(e.Msg))
	for _, f := range e.Fields {
		p.Errors = append(p.Errors, FieldProblem{Location: loc + "." + f.Field, Message: tr.Msg(f.Msg)})
	}
	return p
}

// fail converts an error returned by the store or a handler into the
// problem sent to the client. Internal errors are logged here, once, and
// reach the client only as a generic message.
func (h *handler) fail(ctx context.Context, err error, loc string) *Problem {
	var p *Problem
	if errors.As(err, &p) {
		return p
	}
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return newProblem(http.StatusRequestEntityTooLarge, tr.T("error.too_large"))
	}
	e := isms.AsError(err)
	if e.Kind == isms.KindInternal {
		h.logInternal(ctx, err)
	}
	return domainProblem(e, loc)
}

func (h *handler) logInternal(ctx context.Context, err error) {
	h.Log.Error("api: internal error", "route", httpx.Route(ctx), "err", err)
}

func init() {
	// huma builds every error it detects itself (malformed JSON, schema
	// violations, unknown parameters, oversized bodies) through these two
	// hooks; routing them through humaProblem gives them the same shape and
	// catalogue messages as the errors of the domain.
	huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
		return humaProblem(nil, status, msg, errs)
	}
	huma.NewErrorWithContext = func(ctx huma.Context, status int, msg string, errs ...error) huma.StatusError {
		return humaProblem(ctx, status, msg, errs)
	}
	// JSON field names are snake_case exactly; "Email" is an unknown field,
	// not a second spelling of "email".
	huma.ValidateStrictCasing = true
}

// humaProblem converts an error raised inside huma into a Problem.
func humaProblem(ctx huma.Context, status int, msg string, errs []error) *Problem {
	for _, err := range errs {
		var p *Problem
		if errors.As(err, &p) {
			return p
		}
		var e *isms.Error
		if errors.As(err, &e) {
			if h := handlerOf(ctx); h != nil {
				return h.fail(ctx.Context(), e, "body")
			}
			return domainProblem(e, "body")
		}
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return newProblem(http.StatusRequestEntityTooLarge, tr.T("error.too_large"))
		}
	}
	switch {
	case status == 0: // huma asks for an example to document the schema
		return &Problem{}
	case status >= 500:
		if h := handlerOf(ctx); h != nil {
			h.logInternal(ctx.Context(), errors.Join(append([]error{errors.New(msg)}, errs...)...))
		} else {
			slog.Error("api: internal error", "msg", msg, "errs", errors.Join(errs...))
		}
		return newProblem(status, tr.T("error.internal"))
	}
	p := newProblem(status, "")
	for _, err := range errs {
		if err == nil {
			continue
		}
		loc, text := "body", err.Error()
		var d huma.ErrorDetailer
		if errors.As(err, &d) {
			loc, text = d.ErrorDetail().Location, d.ErrorDetail().Message
		}
		if status == http.StatusBadRequest && loc == "body" {
			// The body is not JSON at all; the parser's message says where.
			p.Detail = tr.T("error.json", text)
			p.Errors = append(p.Errors, FieldProblem{Location: loc, Message: p.Detail})
			continue
		}
		fp := humaField(loc, text)
		p.Errors = append(p.Errors, fp)
	}
	if p.Detail == "" {
		p.Detail = humaDetail(status, msg)
	}
	return p
}

// humaDetail is the problem detail for an error status huma detected.
func humaDetail(status int, msg string) string {
	switch status {
	case http.StatusUnprocessableEntity:
		return tr.T("error.invalid")
	case http.StatusRequestEntityTooLarge:
		return tr.T("error.too_large")
	case http.StatusRequestTimeout:
		return tr.T("error.timeout")
	case http.StatusUnsupportedMediaType:
		return tr.T("api.unsupported_media_type")
	case http.StatusNotAcceptable:
		return tr.T("api.not_acceptable")
	case http.StatusBadRequest:
		if strings.Contains(msg, "body is required") {
			return tr.T("api.body_required")
		}
		return tr.T("api.bad_request")
	}
	return http.StatusText(status)
}

// humaField rewrites one of huma's validation messages (English, written
// for developers) into a catalogue message about a named input.
func humaField(loc, msg string) FieldProblem {
	text := msg
	switch {
	case strings.HasPrefix(msg, "expected required property ") && strings.HasSuffix(msg, " to be present"):
		name := strings.TrimSuffix(strings.TrimPrefix(msg, "expected required property "), " to be present")
		loc += "." + name
		text = tr.T("validation.required")
		if name == "version" {
			text = tr.T("validation.version")
		}
	case msg == "unexpected property":
		text = tr.T("api.unknown_field")
	case msg == "unknown query parameter":
		text = tr.T("api.unknown_parameter")
	case loc == "query.limit":
		text = tr.T("validation.limit", isms.MaxLimit)
	case loc == "query.sort" && strings.HasPrefix(msg, "expected value to be one of"):
		text = tr.T("validation.sort")
	case strings.HasPrefix(msg, "expected value to be one of"):
		text = tr.T("validation.choice")
	case strings.HasPrefix(msg, "expected string to be RFC 3339 date"):
		text = tr.T("validation.date")
	case strings.HasPrefix(msg, "expected length <= "):
		text = tr.T("api.too_long", strings.TrimPrefix(msg, "expected length <= "))
	case strings.HasPrefix(msg, "expected number >= "):
		text = tr.T("api.min_number", strings.TrimPrefix(msg, "expected number >= "))
	case strings.HasPrefix(msg, "expected number <= "):
		text = tr.T("api.max_number", strings.TrimPrefix(msg, "expected number <= "))
	case msg == "expected string":
		text = tr.T("api.type.string")
	case msg == "expected integer", msg == "invalid integer":
		text = tr.T("api.type.integer")
	case msg == "expected number":
		text = tr.T("api.type.number")
	case msg == "expected boolean", msg == "invalid boolean":
		text = tr.T("api.type.boolean")
	case msg == "expected object":
		text = tr.T("api.type.object")
	case msg == "expected array":
		text = tr.T("api.type.array")
	}
	return FieldProblem{Location: loc, Message: text}
}
