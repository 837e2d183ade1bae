-- model: staging.tidal_tracks
-- key: track_id
-- assert: not_null(title)
-- One row per TIDAL track: the tracks an album's lookup includes, those of the pages
-- of its items (`/albums/{album_id}/relationships/items`), and tracks asked by ISRC
-- (`/tracks?filter[isrc]=`). An album's answers place the track (`whole`): its album,
-- `volume_number` and `track_number` from the items' `meta`. A track asked by ISRC
-- names its album only by its `albums` relationship (a guess: no recording of that
-- answer was found).
-- Videos among an album's items are in staging.tidal_videos, not here: a video is
-- another recording, with an ISRC of its own (both are read alike, in
-- staging.tidal_items).
-- `title` is without `version` ("Remastered", "Live"), as TIDAL keeps them apart.
-- merge: by whole, then newest
select id as track_id, * exclude (id, type, resource, release_date)
from staging.tidal_items
where type = 'tracks' and resource in ('albums', 'albums_by_barcode', 'album_items', 'tracks_by_isrc')
