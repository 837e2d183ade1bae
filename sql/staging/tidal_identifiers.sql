-- model: staging.tidal_identifiers
-- materialized: view
-- What TIDAL's items carry for exact links: each track's own ISRC, and each album's
-- and track's own TIDAL id (kind `tidal`), for sources that link to TIDAL's pages.
-- Barcodes come from the release items' gtin. A video's ISRC is not here: a video is
-- no track item.
select 'track'::varchar as entity, track_id::varchar as item_id, 'isrc'::varchar as kind, isrc::varchar as value,
       'own'::varchar as via
from staging.tidal_tracks
where isrc is not null
union all
select 'release', album_id, 'tidal', album_id, 'own' from staging.tidal_albums
union all
select 'track', track_id, 'tidal', track_id, 'own' from staging.tidal_tracks
