//! Cognito SRP-6a client math.
