module example.com/jwt
