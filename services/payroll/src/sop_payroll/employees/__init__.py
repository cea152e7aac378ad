"""What HMRC needs to know of an employee that HR does not hold: the gender HMRC records, the
home address, the starter declaration and the P45 a new starter brings (RTI details)."""
