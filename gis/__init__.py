"""GIS helpers of GPMB Tracker: CRS (EPSG:9215 for Lạng Sơn), metric areas/lengths, chainage, layer I/O.

Every computation works in EPSG:9215 (VN-2000 / TM-3 107-15, metres); EPSG:4326 is only for web maps.
"""
