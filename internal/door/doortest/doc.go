// Package doortest has fakes of door.Phone, door.PhoneCall and door.Board that record what the
// controller did to them, for tests of the controller and of code built on it.
//
// Event channels are unbuffered: a Push returns once the controller has taken the event, so a
// following door.Controller.Do round trip proves it was handled.
package doortest
