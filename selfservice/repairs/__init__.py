"""Credit repair (信用修复): eligibility, the commitment letter, applications, routes and effects."""
