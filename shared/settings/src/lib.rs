//! Typed configuration: every environment variable named once; secrets wrapped in SecretString.
