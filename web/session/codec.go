package session

import (
	"encoding/json"
	"fmt"
	"time"
)

// Codec stores session values as JSON that keeps each value's Go type (scs reads them back with
// type assertions) and encodes the same values to the same bytes, which lets the store see that
// a request changed nothing. It replaces scs's gob codec, whose map order differs every time.
type Codec struct{}

type encoded struct {
	Deadline time.Time        `json:"deadline"`
	Values   map[string]value `json:"values"`
}

// value is one typed session value: exactly one field is set.
type value struct {
	Int64  *int64   `json:"i64,omitempty"`
	Int    *int     `json:"int,omitempty"`
	String *string  `json:"str,omitempty"`
	Bool   *bool    `json:"bool,omitempty"`
	Float  *float64 `json:"f64,omitempty"`
}

// Encode implements scs.Codec.
func (Codec) Encode(deadline time.Time, values map[string]any) ([]byte, error) {
	e := encoded{Deadline: deadline.UTC(), Values: make(map[string]value, len(values))}
	for k, v := range values {
		switch x := v.(type) {
		case int64:
			e.Values[k] = value{Int64: &x}
		case int:
			e.Values[k] = value{Int: &x}
		case string:
			e.Values[k] = value{String: &x}
		case bool:
			e.Values[k] = value{Bool: &x}
		case float64:
			e.Values[k] = value{Float: &x}
		default:
			return nil, fmt.Errorf("session value %q: type %T cannot be stored", k, v)
		}
	}
	return json.Marshal(e)
}

// Decode implements scs.Codec.
func (Codec) Decode(b []byte) (time.Time, map[string]any, error) {
	var e encoded
	if err := json.Unmarshal(b, &e); err != nil {
		return time.Time{}, nil, fmt.Errorf("decode session: %w", err)
	}
	values := make(map[string]any, len(e.Values))
	for k, v := range e.Values {
		switch {
		case v.Int64 != nil:
			values[k] = *v.Int64
		case v.Int != nil:
			values[k] = *v.Int
		case v.String != nil:
			values[k] = *v.String
		case v.Bool != nil:
			values[k] = *v.Bool
		case v.Float != nil:
			values[k] = *v.Float
		}
	}
	return e.Deadline, values, nil
}

// userID is the signed-in user's id in encoded session data, or nil.
func userID(b []byte, key string) *int64 {
	var e encoded
	if json.Unmarshal(b, &e) != nil {
		return nil
	}
	return e.Values[key].Int64
}
