// Package testpeer starts real SIP peers on loopback for tests: Kamailio as a registrar and
// proxy with digest auth, baresip as an auto-answering phone, and sipp with scenario files.
// Each peer writes its config into t.TempDir(), listens on 127.0.0.1 on a port reserved by
// FreePort (port.go: one allocator for every test's SIP ports and RTP ranges), and is
// stopped by t.Cleanup.
//
// Typical use:
//
//	k := testpeer.StartKamailio(t, testpeer.KamailioOptions{})      // registrar on k.URI()
//	b := testpeer.StartBaresip(t, testpeer.BaresipOptions{AutoAnswer: true})
//	s := testpeer.StartSipp(t, testpeer.SippOptions{Scenario: "testdata/sipp/uas_486.xml"})
//	... dial b.URI or s.URI("x"), register to k.URI() with user/"secret" ...
//	err := s.Wait(t, 10*time.Second) // sipp's verdict
//
// When a program is missing the test is skipped with a reason, unless the environment sets
// INTERCOM_REQUIRE_PEERS=1 (CI installs the packages): then the test fails instead.
package testpeer
