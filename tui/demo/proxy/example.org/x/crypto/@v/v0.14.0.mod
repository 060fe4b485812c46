module example.org/x/crypto

go 1.17

require (
	example.org/x/sys v0.13.0
	example.org/x/text v0.13.0
)
