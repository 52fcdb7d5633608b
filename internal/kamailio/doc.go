// Package kamailio writes the kamailio.cfg and command line for the registrar that the peer
// tests (internal/testpeer), the reliability suite and the benchmark run beside the intercom.
// Keeping one config here means a fix to the REGISTER route reaches all three.
//
// It starts no process and imports no testing code: each user owns its Kamailio (testpeer
// ties it to a test's cleanup, bench to its process table, reliability to a namespace).
package kamailio
