-- model: staging.tidal_videos
-- key: video_id
-- assert: not_null(title)
-- One row per TIDAL video, wherever an answer has one (`/videos?filter[id]=`, an
-- album's items), but a search's hits. A video is another recording than its song
-- (a lyric video has an ISRC of its own, USUMV2400558 in the GB recording), so videos
-- stay out of the track items: they are listed here only. Placed on an album as the
-- album's answers place its tracks (`whole`).
-- merge: by whole, then newest
select id as video_id, * exclude (id, type, resource)
from staging.tidal_items
where type = 'videos' and resource <> 'artist_search'
