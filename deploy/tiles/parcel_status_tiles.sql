-- Vector tiles of the parcel_status layer (GPMB Tracker, issue 10), for Martin or pg_tileserv.
-- A PostGIS function z/x/y -> one Mapbox Vector Tile (layer "parcel_status", EPSG:3857, extent 4096):
--   Martin publishes it as the function source "parcel_status_tiles" (see martin.yaml);
--   pg_tileserv publishes it from the "public" schema as /public.parcel_status_tiles/{z}/{x}/{y}.pbf.
-- Only progress columns: no owner name or any personal data is in parcel_status.
-- Tested by tests/store/test_vector_tiles.py (the same file is executed there).
CREATE OR REPLACE FUNCTION public.parcel_status_tiles(z integer, x integer, y integer)
RETURNS bytea AS $$
    WITH bounds AS (
        SELECT ST_TileEnvelope(z, x, y) AS tile,
               ST_Transform(ST_TileEnvelope(z, x, y, margin => 64.0 / 4096), 9215) AS query_box
    ),
    features AS (
        SELECT ST_AsMVTGeom(ST_Transform(s.geometry, 3857), bounds.tile, 4096, 64, true) AS geom,
               s.parcel_id, s.project_id, s.commune, s.commune_former, s.map_sheet, s.parcel_number,
               s.area_to_recover_m2, s.stage, s.stage_rank, s.stage_date::text AS stage_date,
               s.complaint_open, s.at_risk, s.risk_flags, s.next_action,
               s.next_deadline::text AS next_deadline, s.days_overdue, s.as_of::text AS as_of
        FROM public.parcel_status AS s, bounds
        WHERE s.geometry && bounds.query_box          -- GiST index on parcel_status.geometry
    )
    SELECT ST_AsMVT(features, 'parcel_status', 4096, 'geom') FROM features WHERE geom IS NOT NULL;
$$ LANGUAGE sql STABLE PARALLEL SAFE;

COMMENT ON FUNCTION public.parcel_status_tiles(integer, integer, integer) IS
    'Tiến độ GPMB theo thửa (parcel_status) dạng vector tile; màu theo cột stage';
