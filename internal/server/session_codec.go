package server

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/alexedwards/scs/v2"
)

// sessionCodec stores a session's values as JSON. Holdfast keeps only
// strings in a session (the user, the current organisation, a flash
// message), and decoding them is on the path of every page: scs's gob
// codec builds a new decoder, and compiles the session's type, each time,
// which cost more than reading the session from the database. Sessions
// written by the gob codec (before an upgrade) are still read, and written
// back as JSON when they next change.
type sessionCodec struct{}

type sessionData struct {
	Deadline time.Time         `json:"d"`
	Values   map[string]string `json:"v"`
}

// Encode stores the deadline and values; a value that is not a string is
// an error, not silently converted.
func (sessionCodec) Encode(deadline time.Time, values map[string]any) ([]byte, error) {
	d := sessionData{Deadline: deadline, Values: make(map[string]string, len(values))}
	for k, v := range values {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("session value %q is a %T, not a string", k, v)
		}
		d.Values[k] = s
	}
	return json.Marshal(d)
}

// Decode reads a session stored by Encode, or by scs's gob codec.
func (sessionCodec) Decode(b []byte) (time.Time, map[string]any, error) {
	if len(b) == 0 || b[0] != '{' {
		return scs.GobCodec{}.Decode(b)
	}
	var d sessionData
	if err := json.Unmarshal(b, &d); err != nil {
		return time.Time{}, nil, err
	}
	values := make(map[string]any, len(d.Values))
	for k, v := range d.Values {
		values[k] = v
	}
	return d.Deadline, values, nil
}
