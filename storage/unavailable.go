package storage

import "errors"

// ErrUnavailable is wrapped by the errors of a store that cannot be reached:
// the connection was refused or timed out, the name did not resolve, the
// server did not answer in time. It is an outage, not a mistake in the
// store's URL or options: the core goes to the network until the store
// answers again, and an opener that cannot reach its server at all returns,
// with such an error, a Backend that connects once it can (see Lazy).
var ErrUnavailable = errors.New("storage: store unavailable")

// Unavailable marks err as an outage: the result has err's message, unwraps
// to err, and errors.Is(result, ErrUnavailable) is true. Stores wrap it around
// the errors that mean their server could not be reached.
func Unavailable(err error) error {
	if err == nil {
		return nil
	}
	return unavailableError{err}
}

type unavailableError struct{ err error }

func (e unavailableError) Error() string        { return e.err.Error() }
func (e unavailableError) Unwrap() error        { return e.err }
func (e unavailableError) Is(target error) bool { return target == ErrUnavailable }
