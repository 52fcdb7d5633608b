package alsa

// On 386 a long long in a struct is 4-aligned, so no padding precedes the value union.
const ctlValuePad = 0
