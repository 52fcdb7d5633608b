// webrtcaec: the webrtc-audio-processing 0.3 peer of the acoustics benchmark. The same files
// and arguments as speexaec; runs the AEC (extended filter and delay-agnostic mode, as Chrome
// ran it), noise suppression (moderate) and the high-pass filter, AGC off, in 10 ms frames,
// and prints the thread CPU time per frame spent in the two calls. Its filter length is
// fixed (the tail argument is ignored) and its linear output is not exposed.
// usage: webrtcaec RATE TAIL FAR MIC OUT LINEAR
#include <webrtc/modules/audio_processing/include/audio_processing.h>
#include <webrtc/modules/interface/module_common_types.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <vector>

static std::vector<short> slurp(const char *path) {
	FILE *f = fopen(path, "rb");
	if (!f) { perror(path); exit(1); }
	fseek(f, 0, SEEK_END);
	long bytes = ftell(f);
	rewind(f);
	std::vector<short> x(bytes / 2);
	if (fread(x.data(), 2, x.size(), f) != x.size()) { perror(path); exit(1); }
	fclose(f);
	return x;
}

static double now() {
	timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv) {
	if (argc != 7) { fprintf(stderr, "usage: webrtcaec RATE TAIL FAR MIC OUT LINEAR\n"); return 2; }
	int rate = atoi(argv[1]);
	size_t frame = rate / 100;
	std::vector<short> far = slurp(argv[3]), mic = slurp(argv[4]);
	size_t n = std::min(far.size(), mic.size()) / frame * frame;
	std::vector<short> out(n);

	webrtc::Config config;
	config.Set<webrtc::ExtendedFilter>(new webrtc::ExtendedFilter(true));
	config.Set<webrtc::DelayAgnostic>(new webrtc::DelayAgnostic(true));
	webrtc::AudioProcessing *apm = webrtc::AudioProcessing::Create(config);
	// The int16 interface wants every stream at one rate, told before the first reverse frame.
	const webrtc::AudioProcessing::ChannelLayout mono = webrtc::AudioProcessing::kMono;
	if (apm->Initialize(rate, rate, rate, mono, mono, mono) != 0) { fprintf(stderr, "Initialize failed\n"); return 1; }
	apm->high_pass_filter()->Enable(true);
	apm->echo_cancellation()->enable_drift_compensation(false);
	apm->echo_cancellation()->set_suppression_level(webrtc::EchoCancellation::kModerateSuppression);
	apm->echo_cancellation()->Enable(true);
	apm->noise_suppression()->set_level(webrtc::NoiseSuppression::kModerate);
	apm->noise_suppression()->Enable(true);
	apm->gain_control()->Enable(false);

	webrtc::AudioFrame ff, mf;
	double t0 = now();
	for (size_t i = 0; i < n; i += frame) {
		ff.sample_rate_hz_ = mf.sample_rate_hz_ = rate;
		ff.num_channels_ = mf.num_channels_ = 1;
		ff.samples_per_channel_ = mf.samples_per_channel_ = frame;
		memcpy(ff.data_, &far[i], frame * 2);
		memcpy(mf.data_, &mic[i], frame * 2);
		int rerr = apm->AnalyzeReverseStream(&ff);
		if (rerr != 0) { fprintf(stderr, "AnalyzeReverseStream: %d\n", rerr); return 1; }
		apm->set_stream_delay_ms(0);
		int err = apm->ProcessStream(&mf);
		if (err != 0) { fprintf(stderr, "ProcessStream: %d\n", err); return 1; }
		memcpy(&out[i], mf.data_, frame * 2);
	}
	double t1 = now();
	FILE *f = fopen(argv[5], "wb");
	if (!f || fwrite(out.data(), 2, n, f) != n || fclose(f)) { perror(argv[5]); return 1; }
	printf("ns_per_frame %.0f\n", (t1 - t0) / (n / frame));
	delete apm;
	return 0;
}
