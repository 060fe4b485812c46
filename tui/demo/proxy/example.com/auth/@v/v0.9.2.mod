module example.com/auth

go 1.20

require (
	example.org/x/crypto v0.14.0
	example.com/jwt v3.2.2+incompatible
	example.com/cache v0.4.1
	example.com/config v1.0.3
)
